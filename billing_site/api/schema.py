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
