"""Probes for a process manager or a load balancer: ``/healthz`` says the process
answers (nothing else is touched), ``/readyz`` whether it can serve: the
database, Redis and the broker when configured, and the request log's spool.
Both are open to anyone, cheap, kept out of the request log (a probe every few
seconds is not an API request), and a 503 of ``/readyz`` is its answer, not an
error to log."""

import time

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from audit.services import spool as log_spool

# How long each dependency may take to answer a probe.
PROBE_TIMEOUT_SECONDS = 1.0
PATHS = ("/healthz", "/readyz")


def _probe_response(body: dict, status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response._has_been_logged = True  # a 503 here is an answer, not a server error
    return response


@never_cache
@require_GET
def healthz(request):
    return _probe_response({"status": "ok"}, 200)


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def _ping(url: str) -> dict:
    client = redis.Redis.from_url(
        url, socket_timeout=PROBE_TIMEOUT_SECONDS, socket_connect_timeout=PROBE_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()
    return {}


def _redis() -> dict:
    return _ping(settings.REDIS_URL)


def _broker() -> dict:
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        return _ping(url)
    with Connection(url, connect_timeout=PROBE_TIMEOUT_SECONDS) as broker:
        broker.ensure_connection(max_retries=0)  # one try: a probe does not wait
    return {}


def _spool() -> dict:
    """This process's rows not yet stored, against its bound: full means every
    request is refused with a 503 until the database catches up."""
    if settings.REQUEST_LOG_WRITER != "background":
        return {"writer": settings.REQUEST_LOG_WRITER}
    spool = log_spool()
    depth = spool.depth()
    if spool.full():
        raise RuntimeError(f"the request log's spool is full ({depth} bytes not yet stored)")
    return {"depth_bytes": depth, "max_bytes": spool.max_bytes}


def checks() -> dict:
    """The checks that apply to this deployment, by name."""
    found = {"database": _database, "request_log_spool": _spool}
    if settings.REDIS_URL:
        found["redis"] = _redis
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        found["broker"] = _broker
    return found


@never_cache
@require_GET
def readyz(request):
    results, ready = {}, True
    for name, check in checks().items():
        started = time.perf_counter()
        try:
            result = {"status": "ok", **check()}
        except Exception as error:  # any failure of a dependency is "not ready"
            ready = False
            result = {"status": "error", "error": f"{type(error).__name__}: {error}"[:300]}
        result["ms"] = round((time.perf_counter() - started) * 1000, 2)
        results[name] = result
    body = {"status": "ok" if ready else "unavailable", "checks": results}
    return _probe_response(body, 200 if ready else 503)
