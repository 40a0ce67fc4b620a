"""The ISP face's error answer, in the shape of its receipt answer:
``{"status": "error", "errorCode": <HTTP status>, "message": ...}``."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from .shapes import IspStatusAnswerSerializer


@extend_schema_serializer(component_name="IspError")
class IspErrorSerializer(IspStatusAnswerSerializer):
    """The receipt answer's shape with ``"status": "error"``, for the schema."""

    status = serializers.ChoiceField(["error"])
    errorCode = serializers.IntegerField(help_text="The HTTP status of the answer.")


def error_serializer(status_code: int) -> type[serializers.Serializer]:
    """The serializer of this face's error bodies (one for every status), for the schema."""
    return IspErrorSerializer


def error_body(message: str, status_code: int, detail=None) -> dict:
    """The body of an error answer with ``status_code``; ``detail`` (DRF's full
    error detail) is not shown: the document's answer has one message."""
    answer = {"status": "error", "errorCode": status_code, "message": message}
    return dict(IspErrorSerializer(answer).data)
