"""drf-spectacular: the schema class and hooks."""

from http import HTTPStatus
from importlib import import_module

from django.conf import settings
from django.utils.module_loading import import_string
from drf_spectacular import openapi
from drf_spectacular.plumbing import is_list_serializer

from billing_site.unknown_routes import error_body_for

from .exceptions import DetailSerializer, ValidationErrorSerializer
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

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            self._document_errors(operation)
        return operation

    def _document_errors(self, operation):
        """Every operation documents the common error answers besides its own, and
        every error answer is its face's error component."""
        responses = operation.setdefault("responses", {})
        errors = COMMON_ERRORS | (CHANGE_ERRORS if self.method.lower() in CHANGE_METHODS else {})
        names = {parameter["name"] for parameter in operation.get("parameters", [])}
        errors |= KEY_REUSED if "Idempotency-Key" in names else {}
        for code, description in errors.items():
            responses.setdefault(code, {"description": description})
        for code, response in responses.items():
            if int(code) < 400:
                continue
            if not response.get("description"):
                response["description"] = errors.get(code) or HTTPStatus(int(code)).phrase
            refs = [
                self.resolve_serializer(serializer, "response").ref
                for serializer in error_serializers(self.path, int(code), self.view)
            ]
            error = {"schema": refs[0] if len(refs) == 1 else {"oneOf": refs}}
            content = response.setdefault("content", {})
            content.setdefault("application/json", error)
            for media in content.values():
                schema = media.get("schema", {})
                if "$ref" not in schema and "oneOf" not in schema:
                    media["schema"] = error["schema"]

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


def error_serializers(path: str, status_code: int, view) -> list:
    """The serializers of the error bodies answering ``status_code`` at ``path``:
    that of the face the path belongs to (``billing_site.unknown_routes``),
    unless the view does not word its errors as that face does (the signed PDF
    links, the auth routes): then DRF's own. A path argument the route does not
    match falls to the unknown route, so such a view's 404 may be either."""
    error_body = error_body_for(path)
    face = error_body and import_module(error_body.__module__).error_serializer(status_code)
    view_error_body = getattr(view, "error_body", None)
    if (
        error_body is not None
        and getattr(view_error_body, "__func__", view_error_body) is error_body
    ):
        return [face]
    own = ValidationErrorSerializer if status_code == 400 else DetailSerializer
    if face and status_code == 404 and "{" in path:
        return [own, face]
    return [own]


def document_id_ranges(result, generator, request, public):
    """Postprocessing hook: a parameter naming a record states the range of its ids."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if is_id(parameter):
                    parameter["schema"] = dict(ID_SCHEMA)
    return result


def is_id(parameter) -> bool:
    """A numeric parameter naming a record (``id``, ``customer_id``)."""
    name, schema = parameter["name"], parameter.get("schema", {})
    return (name == "id" or name.endswith("_id")) and schema.get("type") in ("integer", "number")


def document_operations(result, generator, request, public):
    """Postprocessing hook: each operation gets the id, tag, summary, description
    and examples its face's ``schema_docs`` module gives it; one without a
    security requirement says it needs none."""
    docs = {}
    for module in SCHEMA_DOCS:
        docs |= {
            key: (import_string(f"{module}.TAG"), operation)
            for key, operation in import_string(f"{module}.OPERATIONS").items()
        }
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            tag, doc = docs[f"{method.upper()} {path}"]
            operation["operationId"] = doc.operation_id
            operation["tags"] = [doc.tag or tag]
            operation["summary"] = doc.summary
            if doc.description:
                operation["description"] = doc.description
            operation.setdefault("security", [])
            add_examples(operation, doc)
    return result


def add_examples(operation, doc):
    """The doc's request examples on the JSON request body, its response examples
    on the JSON answers of their status."""
    request_examples = doc.examples or ({"default": doc.request} if doc.request is not None else {})
    if request_examples:
        media = operation["requestBody"]["content"]["application/json"]
        media["examples"] = {name: {"value": value} for name, value in request_examples.items()}
    for code, value in doc.responses.items():
        media = operation["responses"][str(code)]["content"]["application/json"]
        media["examples"] = {"default": {"value": value}}


# What a nullable reference to a component may also be (null), in OpenAPI 3.0.
NULL_OBJECT = {"type": "object", "nullable": True, "enum": [None]}


def type_nullables(result, generator, request, public):
    """Postprocessing hook: OpenAPI 3.0 reads ``nullable`` only beside a ``type``,
    and a null fails an ``allOf`` of a component whatever its ``nullable`` says.
    drf-spectacular writes a nullable component as such an ``allOf``: it becomes
    a ``oneOf`` of the component and null. A nullable ``oneOf`` of an enum and
    ``NullEnum`` gets the enum's type; one of several types has its first
    branch made nullable instead."""
    schemas = result.get("components", {}).get("schemas", {})
    for node in _nodes(result):
        if not node.get("nullable") or "type" in node:
            continue
        if len(node.get("allOf", ())) == 1:
            node["oneOf"] = [node.pop("allOf")[0], NULL_OBJECT]
            del node["nullable"]
            continue
        branches = [_resolved(branch, schemas) for branch in node.get("oneOf", [])]
        types = {branch["type"] for branch in branches if "type" in branch}
        if len(types) == 1:
            node["type"] = types.pop()
        elif branches:
            first = node["oneOf"][0]
            first["nullable"] = True
            if "enum" in first:
                first["enum"] = [*first["enum"], None]
            del node["nullable"]
    return result


def _nodes(value):
    """Every mapping in ``value``, depth first."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _nodes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _nodes(item)


def _resolved(schema: dict, schemas: dict) -> dict:
    """``schema``, or the component it refers to."""
    ref = schema.get("$ref", "")
    return schemas.get(ref.rpartition("/")[2], {}) if ref else schema


def name_the_server(result, generator, request, public):
    """Postprocessing hook: the schema names the server it was asked of (offline,
    ``SCHEMA_SERVER_URL``), so clients and "try it out" call that one."""
    url = request.build_absolute_uri("/") if request is not None else settings.SCHEMA_SERVER_URL
    result["servers"] = [{"url": url.rstrip("/") or url}]
    return result
