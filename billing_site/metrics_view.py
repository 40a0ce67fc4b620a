"""``GET /metrics`` in Prometheus' text format: the HTTP metrics of every worker
(``billing_site.metrics``) and, read at scrape time, the ledger's payments and
refunds per currency and the depths of the queues. Read from the database, the
figures are exact across processes and restarts.

Off (the 404 of any unknown route) unless ``METRICS_TOKEN`` is set, and then
answered only to ``Authorization: Bearer <METRICS_TOKEN>``: the figures tell
how much money moves. Kept out of the request log, never throttled (a plain
Django view), and it writes nothing."""

import hmac
import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from audit.services import spool_backlog
from events.selectors import unrelayed_event_count
from payments.selectors import payment_totals, refund_totals
from webhooks.selectors import pending_delivery_count

from .metrics import http_metrics
from .unknown_routes import unknown_route

logger = logging.getLogger(__name__)


def _ledger():
    for name, what, totals in (
        ("payments", "Payments recorded", payment_totals()),
        ("refunds", "Refunds given", refund_totals()),
    ):
        count = CounterMetricFamily(
            f"billing_{name}", f"{what} in the ledger, by currency.", labels=["currency"]
        )
        amount = CounterMetricFamily(
            f"billing_{name}_amount",
            f"{what} in the ledger: their amount in units of the currency, by currency.",
            labels=["currency"],
        )
        for currency, (how_many, total) in sorted(totals.items()):
            count.add_metric([currency], how_many)
            amount.add_metric([currency], float(total))
        yield from (count, amount)


def _queues():
    yield GaugeMetricFamily(
        "billing_request_log_spool_bytes",
        "Request log rows in this machine's spool not yet stored in the logs table, in bytes.",
        value=sum(waiting for _, _, waiting in spool_backlog()),
    )
    yield GaugeMetricFamily(
        "billing_webhook_deliveries_pending",
        "Webhook deliveries neither delivered nor given up yet.",
        value=pending_delivery_count(),
    )
    yield GaugeMetricFamily(
        "billing_outbox_events_unrelayed",
        "Events in the outbox not yet taken by their handlers.",
        value=unrelayed_event_count(),
    )


SOURCES = {"ledger": _ledger, "queues": _queues}


class _Scrape:
    """What one scrape reads. A source that fails (the database is down) is left
    out and says so in ``billing_metrics_source_up``; the rest still answer."""

    def collect(self):
        yield from http_metrics().collect()
        up = GaugeMetricFamily(
            "billing_metrics_source_up",
            "1 when the scrape could read the source's figures, 0 when it could not.",
            labels=["source"],
        )
        for name, source in SOURCES.items():
            try:
                families = list(source())
            except Exception:  # the HTTP metrics are worth answering without these
                logger.exception("The metrics could not read the %s", name)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up


def _authorised(request) -> bool:
    given = request.META.get("HTTP_AUTHORIZATION", "").encode()
    return hmac.compare_digest(given, f"Bearer {settings.METRICS_TOKEN}".encode())


@never_cache
def metrics(request):
    if not settings.METRICS_TOKEN:
        return unknown_route(request)
    if not _authorised(request):
        response = JsonResponse({"detail": "A valid metrics token is required."}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return HttpResponse(generate_latest(_Scrape()), content_type=CONTENT_TYPE_PLAIN_0_0_4)
