"""The HTTP metrics every request moves, in Prometheus' terms.

Under gunicorn each worker writes its values to files of its own in
``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode, set up by
``gunicorn.conf.py``) and a scrape, whichever worker answers it, sums them all.
Without that variable (runserver, tests) the values live in this process."""

import logging
import os

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.multiprocess import MultiProcessCollector

# An API answers in milliseconds; a report or a PDF may take seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Any other method is "other": a client cannot add label values at will.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# In multiprocess mode the values are in the files, and this registry is not read.
_registry = CollectorRegistry()
requests_total = Counter(
    "billing_http_requests",
    "HTTP requests answered, by API face, method and status code.",
    ["face", "method", "status"],
    registry=_registry,
)
request_duration = Histogram(
    "billing_http_request_duration_seconds",
    "Time from a request's arrival at the application to its answer, by API face.",
    ["face"],
    buckets=LATENCY_BUCKETS,
    registry=_registry,
)

logger = logging.getLogger(__name__)

# (face, method, status) -> its counter and its face's histogram: looked up once,
# as label lookups cost more than the increments themselves.
_series: dict[tuple[str, str, int], tuple] = {}


def record_request(face: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request and its duration; a failure (a full disk under
    the multiprocess files) is logged, never raised into the request."""
    if method not in METHODS:
        method = "other"
    try:
        series = _series.get((face, method, status))
        if series is None:
            series = requests_total.labels(face, method, str(status)), request_duration.labels(face)
            _series[face, method, status] = series
        series[0].inc()
        series[1].observe(seconds)
    except Exception:
        logger.exception("Could not count a request in the metrics")


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def http_metrics():
    """What a scrape reads the HTTP metrics from: every worker's files, or this
    process's registry."""
    directory = multiprocess_dir()
    if directory is None:
        return _registry
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=directory)
    return registry
