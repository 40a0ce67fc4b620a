"""The first middleware: gives each request its id (the client's valid
``X-Request-ID`` or a new one, returned in ``X-Request-ID``), binds its id, user
and face to the log lines written while it is answered, and once it is answered
counts it in the metrics and writes its access line. The ``logs`` table's row is
the request log's (``audit.middleware``), the next middleware."""

import re
import time

from django.conf import settings

from audit.masking import mask_link_signatures

from .faces import face_of
from .health import PATHS as PROBES
from .logs import bind_request, log_access, unbind_request
from .metrics import record_request
from .ordered_ids import OrderedIds

# Not API requests: the probes and the metrics' scrapes come every few seconds.
UNCOUNTED = (*PROBES, "/metrics")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def request_id(request) -> str:
    given = request.META.get("HTTP_X_REQUEST_ID", "")  # request.headers copies them all
    return given if _REQUEST_ID.match(given) else new_request_id()


# 32 hex digits in the order they were made: the logs table's index of request ids
# grows at its end rather than at random places, which cost MariaDB a fifth more
# CPU a row with 200,000 rows in the table (bench/README.md), and more as it grows.
new_request_id = OrderedIds(random_bits=80)


def is_counted(request) -> bool:
    """Whether the request is the API's: not a static file, a probe or a scrape."""
    path = request.path
    return not path.startswith(settings.STATIC_URL) and path.rstrip("/") not in UNCOUNTED


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_counted(request):
            return self.get_response(request)
        started = time.perf_counter()
        request.request_id = request_id(request)
        face = face_of(request.path)
        bound = bind_request(request, face)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            elapsed = time.perf_counter() - started
            record_request(face, request.method, response.status_code, elapsed)
            log_access(
                method=request.method[:10],
                path=mask_link_signatures(request.path)[:500],
                status=response.status_code,
                duration_ms=elapsed * 1000,
            )
        finally:
            unbind_request(bound)
        return response
