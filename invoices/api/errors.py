"""The invoices face's error shape: DRF's own, which its clients already read.
Bad fields are named, each with its messages (``{"amount": ["..."]}``);
anything else is ``{"detail": "..."}``."""

from collections.abc import Mapping

# Keys under which DRF puts a message that belongs to no one field.
_GENERAL = {"detail", "non_field_errors"}


def error_body(message: str, status_code: int, detail=None) -> dict:
    """The body of an error of this face: the fields' errors when ``detail``
    names fields, else ``message`` as ``detail``."""
    if isinstance(detail, Mapping) and detail and not set(detail) <= _GENERAL:
        return dict(detail)
    return {"detail": message}
