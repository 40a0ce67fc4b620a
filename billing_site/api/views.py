"""JSON answers for errors raised outside DRF views (unknown routes: ``unknown_routes``)."""

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):  # a body without a declared length
        return JsonResponse({"detail": "Request body too large."}, status=413)
    return JsonResponse({"detail": "Bad request."}, status=400)


def permission_denied(request, exception=None):
    return JsonResponse({"detail": "Forbidden."}, status=403)


def server_error(request):
    body = {"detail": "Internal server error."}
    request_id = getattr(request, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return JsonResponse(body, status=500)
