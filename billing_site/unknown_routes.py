"""Unknown routes answer JSON in the shape of the face their path belongs to,
with ``DEBUG`` on or off: a route of last resort, not ``handler404`` (which
``DEBUG`` replaces with Django's HTML page)."""

from django.http import JsonResponse
from django.utils.module_loading import import_string

from .faces import face_of

MESSAGE = "Not found."

# The function giving each face's error body; a face without one (the shared
# API plumbing, the admin) answers the API's plain ``{"detail": ...}``.
ERROR_BODIES = {
    "gateway": "payments.gateway.errors.error_body",
    "invoices": "invoices.api.errors.error_body",
    "isp": "invoices.isp.errors.error_body",
    "reports": "reports.api.errors.error_body",
    "bills": "bills.api.errors.error_body",
}


def error_body_for(path: str):
    """The error-body function of the face ``path`` belongs to (``None``: the
    API's plain ``{"detail": ...}``)."""
    dotted = ERROR_BODIES.get(face_of(path))
    return dotted and import_string(dotted)


def unknown_route(request, *args, **kwargs):
    error_body = error_body_for(request.path)
    body = error_body(MESSAGE, 404) if error_body else {"detail": MESSAGE}
    return JsonResponse(body, status=404)
