"""drf-spectacular: the schema class and hooks."""

from django.utils.module_loading import import_string
from drf_spectacular import openapi
from drf_spectacular.plumbing import is_list_serializer

from .fields import ID_SCHEMA

# The modules whose ``OPERATIONS`` name and document the operations of the faces.
SCHEMA_DOCS = (
    "billing_site.api.schema_docs",
    "payments.gateway.schema_docs",
    "invoices.api.schema_docs",
    "invoices.isp.schema_docs",
    "reports.api.schema_docs",
    "bills.api.schema_docs",
)


class AutoSchema(openapi.AutoSchema):
    """A nested list that may not be empty (``allow_empty=False``) says so, and so
    does a serializer that refuses fields it does not know (``closed = True``)."""

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if getattr(serializer, "closed", False) and direction == "request":
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if schema and is_list_serializer(field) and not field.allow_empty:
            schema["minItems"] = max(1, schema.get("minItems", 0))
        return schema

    def map_parsers(self):
        # A parser reading JSON whatever the declared type (``*/*``) is, for the
        # schema, a JSON one: generated clients send JSON and skip ``*/*`` bodies.
        return list(
            dict.fromkeys(
                "application/json" if media_type == "*/*" else media_type
                for media_type in super().map_parsers()
            )
        )


def canonical_paths(endpoints):
    """Routes match with and without a trailing slash; the schema names each once:
    the legacy root routes as their documents write them (``/checkPaymentStatus``),
    the ``/api/`` routes with the slash."""
    result = []
    for path, path_regex, method, callback in endpoints:
        if not path.startswith("/api/") and path != "/":
            path = path.rstrip("/")
        result.append((path, path_regex, method, callback))
    return result


# Answers any operation may give besides its own: a bad query or body (400),
# no token (401), no permission (403), nothing there (404), a wrong method (405),
# a body over the limit (413), a media type no parser reads (415), throttled
# (429), the database unreachable (503). Each face words them in its own shape.
COMMON_ERRORS = {
    "400": "Bad request",
    "401": "Not authenticated",
    "403": "Forbidden",
    "404": "Not found",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "413": "Request body too large",
    "415": "Unsupported media type",
    "429": "Too many requests",
    "503": "Database unavailable",
}


# A change can meet the state it changes: a record another one refers to, an
# invoice no longer a draft, an Idempotency-Key still in use.
CHANGE_ERRORS = {"409": "Conflict with the current state"}
CHANGE_METHODS = {"post", "put", "patch", "delete"}
# An Idempotency-Key sent before with another request.
KEY_REUSED = {"422": "Idempotency-Key reused for another request"}


def document_common_errors(result, generator, request, public):
    """Postprocessing hook: every operation documents the common error answers it
    does not describe itself, as a JSON object, and states the range of its ids."""
    error = {"description": "", "content": {"application/json": {"schema": {"type": "object"}}}}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            errors = COMMON_ERRORS | (CHANGE_ERRORS if method in CHANGE_METHODS else {})
            names = {parameter["name"] for parameter in operation.get("parameters", [])}
            errors |= KEY_REUSED if "Idempotency-Key" in names else {}
            for code, description in errors.items():
                responses.setdefault(code, {**error, "description": description})
            for parameter in operation.get("parameters", []):
                if is_id(parameter):
                    parameter["schema"] = dict(ID_SCHEMA)
    return result


def is_id(parameter) -> bool:
    """A numeric parameter naming a record (``id``, ``customer_id``)."""
    name, schema = parameter["name"], parameter.get("schema", {})
    return (name == "id" or name.endswith("_id")) and schema.get("type") in ("integer", "number")


def document_operations(result, generator, request, public):
    """Postprocessing hook: each operation gets the id, summary, description and
    examples its face's ``schema_docs`` module gives it."""
    operations = {}
    for module in SCHEMA_DOCS:
        operations |= import_string(f"{module}.OPERATIONS")
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            doc = operations.get(f"{method.upper()} {path}")
            if doc is None:
                continue
            operation["operationId"] = doc.operation_id
            if doc.summary:
                operation["summary"] = doc.summary
            if doc.description:
                operation["description"] = doc.description
    return result
