"""Document 003's error shape: a bad request is ``{"error": ...}`` (its own
messages, such as "Start date must be before end date"), naming every field at
fault and adding the per-field ``errors`` when there are fields; every other
error is ``{"detail": ...}`` ("Not found.", "Authentication credentials were
not provided.")."""

from billing_site.api.exceptions import all_messages


def error_body(message: str, status_code: int, detail=None) -> dict:
    if status_code != 400:
        return {"detail": message}
    detail = message if detail is None else detail
    body = {"error": all_messages(detail)}
    fields = isinstance(detail, dict) and set(detail) - {"non_field_errors", "detail"}
    per_item = isinstance(detail, list) and any(isinstance(item, dict) for item in detail)
    if fields or per_item:
        body["errors"] = detail
    return body
