"""drf-spectacular hooks."""


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


def document_common_errors(result, generator, request, public):
    """Postprocessing hook: every operation documents the common error answers it
    does not describe itself, as a JSON object."""
    error = {"description": "", "content": {"application/json": {"schema": {"type": "object"}}}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for code, description in COMMON_ERRORS.items():
                responses.setdefault(code, {**error, "description": description})
    return result
