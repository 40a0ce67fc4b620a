"""Unknown routes answer JSON in the shape of the face their path belongs to,
with ``DEBUG`` on or off: a route of last resort, not ``handler404`` (which
``DEBUG`` replaces with Django's HTML page)."""

from django.http import JsonResponse
from django.utils.module_loading import import_string

MESSAGE = "Not found."

# Path prefixes (without the leading slash), longest first, and the function
# giving the error body of the face they belong to. Any other path is the
# gateway's: its clients call routes at the root.
FACE_PREFIXES = (
    ("api/v1/get_", "invoices.isp.errors.error_body"),
    ("api/v1/", "invoices.api.errors.error_body"),
    ("api/v2/", "reports.api.errors.error_body"),
    ("api/collections", "bills.api.errors.error_body"),
    ("api/payments/", "bills.api.errors.error_body"),
    ("api/", None),
)
GATEWAY = "payments.gateway.errors.error_body"


def error_body_for(path: str):
    """The error-body function of the face ``path`` belongs to (``None``: the
    API's plain ``{"detail": ...}``)."""
    path = path.lstrip("/")
    for prefix, dotted in FACE_PREFIXES:
        if path.startswith(prefix):
            return dotted and import_string(dotted)
    return import_string(GATEWAY)


def unknown_route(request, *args, **kwargs):
    error_body = error_body_for(request.path)
    body = error_body(MESSAGE, 404) if error_body else {"detail": MESSAGE}
    return JsonResponse(body, status=404)
