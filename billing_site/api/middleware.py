"""Guards that answer before any view runs."""

import logging

import corsheaders.middleware
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils.cache import patch_vary_headers

from .cache import CacheUnavailable

logger = logging.getLogger(__name__)

DATABASE_DOWN = (
    "The service is unavailable: its database cannot be used right now. Try again shortly."
)


# What a caller that cannot do without Redis answers while it is down or stalled.
CACHE_DOWN = (
    "The service is unavailable: its shared cache cannot be used right now. Try again shortly."
)


def database_unavailable(detail: str = DATABASE_DOWN) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=503)
    response["Retry-After"] = "5"
    return response


# MySQL/MariaDB errors that mean "cannot use the database now", not "bad query":
# too many connections, access denied or account locked, cannot connect, server
# gone away, lost connection (also a read or write timed out: a stalled server),
# lock wait timeout, deadlock, server shutting down, connection killed, a
# statement over its time (MariaDB's max_statement_time, MySQL's max_execution_time).
_MYSQL_UNAVAILABLE = {
    1040,
    1045,
    1053,
    1129,
    1130,
    1205,
    1213,
    1927,
    1969,
    2002,
    2003,
    2005,
    2006,
    2013,
    2055,
    3024,
    4031,
    4151,
}


def is_connection_failure(exc: Exception) -> bool:
    """The database cannot be used right now (so a retry may succeed), as opposed
    to an error of the query itself such as an overflow."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    if code is not None:
        return code in _MYSQL_UNAVAILABLE
    message = str(exc).lower()  # SQLite says it in words
    return "locked" in message or "unable to open" in message or "disk i/o" in message


class BodySizeLimitMiddleware:
    """A declared body over MAX_REQUEST_BODY_BYTES is a 413 before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Invalid Content-Length."}, status=400)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            return JsonResponse(
                {"detail": f"Request body too large: {length} bytes, the limit is {limit}."},
                status=413,
            )
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Outside DRF views (admin, pages), a lost database is a 503 JSON, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_connection_failure(exception):
            logger.error("Database unreachable: %s", exception)
            return database_unavailable()
        if isinstance(exception, CacheUnavailable):  # logged by the cache, once an outage
            return database_unavailable(CACHE_DOWN)
        return None


class CorsMiddleware(corsheaders.middleware.CorsMiddleware):
    """django-cors-headers (CORS_* settings) with a preflight answered 204 No
    Content, and ``Vary: Origin`` spelled as HTTP writes it (the library writes
    it in lower case: added first, it is not added again)."""

    def check_preflight(self, request):
        response = super().check_preflight(request)
        if response is not None:
            response.status_code = 204
            del response["Content-Length"]  # a 204 has no body, nor its length
        return response

    def add_response_headers(self, request, response):
        patch_vary_headers(response, ["Origin"])
        return super().add_response_headers(request, response)
