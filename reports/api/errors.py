"""Document 003's error shape: a bad request is ``{"error": ...}`` (its own
messages, such as "Start date must be before end date"), naming every field at
fault and adding the per-field ``errors`` when there are fields; every other
error is ``{"detail": ...}`` ("Not found.", "Authentication credentials were
not provided.")."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from billing_site.api.exceptions import DetailSerializer, all_messages


@extend_schema_serializer(component_name="ReportsError")
class ReportErrorSerializer(serializers.Serializer):
    """A bad request on this face: the schema's and every answer's."""

    error = serializers.CharField()
    errors = serializers.JSONField(required=False, help_text="The messages of each field at fault.")


def error_serializer(status_code: int) -> type[serializers.Serializer]:
    """The serializer of this face's error bodies of ``status_code``, for the schema."""
    return ReportErrorSerializer if status_code == 400 else DetailSerializer


def error_body(message: str, status_code: int, detail=None) -> dict:
    if status_code != 400:
        return DetailSerializer({"detail": message}).data
    detail = message if detail is None else detail
    body = {"error": all_messages(detail)}
    fields = isinstance(detail, dict) and set(detail) - {"non_field_errors", "detail"}
    per_item = isinstance(detail, list) and any(isinstance(item, dict) for item in detail)
    if fields or per_item:
        body["errors"] = detail
    return ReportErrorSerializer(body).data
