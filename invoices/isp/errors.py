"""The ISP face's error answer, in the shape of its receipt answer:
``{"status": "error", "errorCode": <HTTP status>, "message": ...}``."""

from .shapes import IspStatusAnswerSerializer


def error_body(message: str, status_code: int, detail=None) -> dict:
    """The body of an error answer with ``status_code``; ``detail`` (DRF's full
    error detail) is not shown: the document's answer has one message."""
    answer = {"status": "error", "errorCode": status_code, "message": message}
    return dict(IspStatusAnswerSerializer(answer).data)
