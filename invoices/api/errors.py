"""The invoices face's error shape: DRF's own, which its clients already read.
Bad fields are named, each with its messages (``{"amount": ["..."]}``);
anything else is ``{"detail": "..."}``."""

from collections.abc import Mapping

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from billing_site.api.exceptions import VALIDATION_ERROR_SCHEMA

# Keys under which DRF puts a message that belongs to no one field.
_GENERAL = {"detail", "non_field_errors"}


class ErrorSerializer(serializers.Serializer):
    """This face's error body, for the schema (``InvoicesError``)."""


class ErrorSchema(OpenApiSerializerExtension):
    """DRF's own bad-request body, answered here for every error."""

    target_class = ErrorSerializer

    def get_name(self, auto_schema, direction):
        return "InvoicesError"

    def map_serializer(self, auto_schema, direction):
        return VALIDATION_ERROR_SCHEMA


def error_serializer(status_code: int) -> type[serializers.Serializer]:
    """The serializer of this face's error bodies (one for every status), for the schema."""
    return ErrorSerializer


def error_body(message: str, status_code: int, detail=None) -> dict:
    """The body of an error of this face: the fields' errors when ``detail``
    names fields, else ``message`` as ``detail``."""
    if isinstance(detail, Mapping) and detail and not set(detail) <= _GENERAL:
        return dict(detail)
    return {"detail": message}
