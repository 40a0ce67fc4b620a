"""The bills face's error shape (document 004 follows Laravel):
``{"message": ..., "errors": {"field.dotted.name": ["...", ...]}}``. A body that
fails validation is a 422; a bad query parameter (include, filter) a 400."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import APIException


@extend_schema_serializer(component_name="BillsError")
class ErrorSerializer(serializers.Serializer):
    """The error body: what the schema shows and what ``error_body`` writes."""

    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class Unprocessable(APIException):
    status_code = 422
    default_detail = "The given data was invalid."


def error_serializer(status_code: int) -> type[serializers.Serializer]:
    """The serializer of this face's error bodies (one for every status), for the schema."""
    return ErrorSerializer


def error_body(message: str, status_code: int | None = None, detail=None) -> dict:
    """The body of an error of this face. ``detail`` is DRF's error detail: its
    field errors become ``errors`` under dotted names."""
    errors = detail if isinstance(detail, dict) else {}
    errors = {key: value for key, value in errors.items() if key != "detail"}
    return dict(ErrorSerializer({"message": message, "errors": dotted(errors)}).data)


def dotted(detail, prefix: str = "") -> dict[str, list[str]]:
    """Nested errors under Laravel's dotted names, each a list of messages:
    ``{"product": [{}, {"price": [...]}]}`` becomes ``{"product.1.price": [...]}``;
    a nested object's own errors go under its name."""
    if isinstance(detail, dict):
        parts = detail.items()
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        parts = enumerate(detail)
    else:
        return {
            prefix: [str(item) for item in detail] if isinstance(detail, list) else [str(detail)]
        }
    errors: dict[str, list[str]] = {}
    for key, value in parts:
        own = key == "non_field_errors" and prefix
        name = prefix if own else ".".join(filter(None, (prefix, str(key))))
        for field, messages in dotted(value, name).items():
            errors.setdefault(field, []).extend(messages)
    return errors
