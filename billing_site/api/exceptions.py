"""One exception handler for every face.

DRF's handler does the mapping of HTTP errors; this one also maps Django's
``ValidationError`` and our domain errors, and lets a view re-shape the body
into its face's own error shape through an
``error_body(message, status_code, detail)``
method (the gateway answers ``{"success": "false", "message": ...}``)."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from billing_site.api.cache import CacheUnavailable
from billing_site.api.middleware import CACHE_DOWN, DATABASE_DOWN, is_connection_failure
from billing_site.errors import BillingError

logger = logging.getLogger(__name__)


class DetailSerializer(serializers.Serializer):
    """DRF's own error body, ``{"detail": ...}``: that of the views no face words
    (the auth routes, the signed links) but for a bad request, and the reports
    face's for every status but 400."""

    detail = serializers.CharField()


class GatewayErrorSerializer(serializers.Serializer):
    """The gateway's error, ``{"success": "false", "message": ...}`` whatever the
    status: its face's (``payments.gateway.errors``) and the login lock-out's."""

    success = serializers.ChoiceField(choices=["false"])
    message = serializers.CharField()


# DRF's own body of a bad request: the messages of each field at fault, or a
# ``detail``. The invoices face answers it for every error.
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": 'Either {"detail": "..."} or the messages of each field at fault, such '
    'as {"currency": [""XYZ" is not a valid choice."]}; a nested field has the '
    "errors of its own fields, a list field those of each item.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {},
}


class ValidationErrorSerializer(serializers.Serializer):
    """DRF's own bad-request body, for the schema (``ValidationError``)."""


class ValidationErrorSchema(OpenApiSerializerExtension):
    """A body whose keys are the request's fields: ``additionalProperties``,
    which a serializer's fields cannot say."""

    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema, direction):
        return VALIDATION_ERROR_SCHEMA


def first_message(detail) -> str:
    """The first human-readable message in a DRF error detail, prefixed with its field."""
    if isinstance(detail, dict):
        for field, value in detail.items():
            message = first_message(value)
            if field in ("detail", "non_field_errors"):
                return message
            return f"{field}: {message}"
        return ""
    if isinstance(detail, list):
        return first_message(detail[0]) if detail else ""
    return str(detail)


def all_messages(detail) -> str:
    """Every message in a DRF error detail, each prefixed with its field, joined by "; "."""
    if isinstance(detail, dict):
        parts = []
        for field, value in detail.items():
            message = all_messages(value)
            parts.append(
                message if field in ("detail", "non_field_errors") else f"{field}: {message}"
            )
        return "; ".join(parts)
    if isinstance(detail, list):
        return "; ".join(all_messages(item) for item in detail if item)
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    if is_connection_failure(exc):
        logger.error("Database unreachable: %s", exc)
        response = Response({"detail": DATABASE_DOWN}, status=503, headers={"Retry-After": "5"})
    elif isinstance(exc, CacheUnavailable):  # logged by the cache, once an outage
        response = Response({"detail": CACHE_DOWN}, status=503, headers={"Retry-After": "5"})
    elif isinstance(exc, BillingError):
        response = Response({"detail": exc.message}, status=exc.status_code)
    elif isinstance(exc, ProtectedError | RestrictedError):
        response = Response(
            {"detail": "This cannot be deleted: other records refer to it."}, status=409
        )
    else:
        response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django logs it and answers with handler500
    view = context.get("view")
    error_body = getattr(view, "error_body", None)
    if error_body is not None:
        response.data = error_body(
            first_message(response.data), response.status_code, response.data
        )
    return response
