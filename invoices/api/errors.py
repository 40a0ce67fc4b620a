"""The invoices face's error shape: DRF's own, which its clients already read.
Bad fields are named, each with its messages (``{"amount": ["..."]}``);
anything else is ``{"detail": "..."}``."""

from collections.abc import Mapping

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

# Keys under which DRF puts a message that belongs to no one field.
_GENERAL = {"detail", "non_field_errors"}


class ErrorSerializer(serializers.Serializer):
    """This face's error body, for the schema (``InvoicesError``)."""


class ErrorSchema(OpenApiSerializerExtension):
    """A body whose keys are the request's fields: ``additionalProperties``,
    which a serializer's fields cannot say."""

    target_class = ErrorSerializer

    def get_name(self, auto_schema, direction):
        return "InvoicesError"

    def map_serializer(self, auto_schema, direction):
        return {
            "type": "object",
            "description": 'Either {"detail": "..."} or the messages of each field at fault, '
            'such as {"currency": ["\\"XYZ\\" is not a valid choice."]}; a nested field '
            "has the errors of its own fields, a list field those of each item.",
            "properties": {"detail": {"type": "string"}},
            "additionalProperties": {},
        }


def error_serializer(status_code: int) -> type[serializers.Serializer]:
    """The serializer of this face's error bodies (one for every status), for the schema."""
    return ErrorSerializer


def error_body(message: str, status_code: int, detail=None) -> dict:
    """The body of an error of this face: the fields' errors when ``detail``
    names fields, else ``message`` as ``detail``."""
    if isinstance(detail, Mapping) and detail and not set(detail) <= _GENERAL:
        return dict(detail)
    return {"detail": message}
