"""The events' share of the benchmark: what the outbox adds to a payment, and how
fast the workers deliver what the payments wrote.

``BENCH_OUTBOX=0`` (a server of the benchmark's only) drops every event before it
is written: no outbox row, no derived event (the bill lookup), no relay queued.
``deliveries`` starts the Procfile's worker on the relays the update run queued,
with one webhook endpoint listening to everything and the customers' emails off,
and times until each event has reached a receiver in this process that checks
its signature."""

import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .server import RESULTS, ROOT


def drop_every_event() -> None:
    """Make every ``event_emit`` the processes imported a no-op (the cost's
    baseline; never outside the benchmark)."""
    from events import services

    real = services.event_emit

    def dropped(*, type, data, customer_id=None, subject=None):
        return None

    for module in list(sys.modules.values()):
        if getattr(module, "event_emit", None) is real:
            module.event_emit = dropped


class _Receiver:
    """Answers every delivery 204; counts the distinct ids whose signature holds."""

    def __init__(self):
        self.ids: set[str] = set()
        self.bad = 0
        self.lock = threading.Lock()
        self.secret = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                from standardwebhooks.webhooks import Webhook, WebhookVerificationError

                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    Webhook(receiver.secret).verify(body, headers)
                    with receiver.lock:
                        receiver.ids.add(headers["webhook-id"])
                except WebhookVerificationError:
                    with receiver.lock:
                        receiver.bad += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def deliveries(env: dict, *, since, limit_seconds: float = 300) -> dict:
    """Deliver the relays the update run (from ``since``) queued, with the
    Procfile's worker (2 processes); the events delivered per second, from the
    worker's ready to the last delivery."""
    from django.conf import settings
    from django.db import connections

    from billing_site.testing import procfile_command
    from events.models import Event
    from invoices.models import Customer
    from webhooks.models import Delivery
    from webhooks.services import endpoint_create

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"skipped": "no broker: the events were relayed in the web processes"}
    import redis

    queued = redis.Redis.from_url(settings.CELERY_BROKER_URL).llen("celery")
    # The update run's events, waiting for their relay (no worker ran).
    waiting = Event.objects.filter(created_at__gte=since, relayed_at__isnull=True)
    expected = set(waiting.values_list("pk", flat=True))
    # The webhooks alone: no receipt emails (a PDF each: the PDF figures measure those).
    emailed = list(Customer.objects.filter(email_documents=True).values_list("pk", flat=True))
    Customer.objects.filter(pk__in=emailed).update(email_documents=False)
    receiver = _Receiver()
    endpoint = endpoint_create(url=receiver.url, events=["*"], description="benchmark")
    receiver.secret = endpoint.secret
    connections.close_all()
    log = RESULTS / "celery-worker.log"
    with open(log, "w") as output:
        worker = subprocess.Popen(  # noqa: S603
            procfile_command("worker", "--without-mingle", "--without-gossip"),
            cwd=ROOT,
            # The receiver listens on the loopback interface.
            env={**env, "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "1"},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # Timed from the worker's "ready" (its boot, several seconds, is not delivery).
        deadline = time.monotonic() + 60
        while " ready." not in log.read_text():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the Celery worker did not start: see {log}")
            time.sleep(0.05)
        started = time.perf_counter()
        while time.perf_counter() - started < limit_seconds:
            with receiver.lock:
                if receiver.ids >= expected:
                    break
            if worker.poll() is not None:
                raise SystemExit(f"the Celery worker exited: see {log}")
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=60)
        receiver.close()
        Customer.objects.filter(pk__in=emailed).update(email_documents=True)
    with receiver.lock:
        delivered = len(receiver.ids & expected)
    succeeded = Delivery.objects.filter(endpoint=endpoint, status=Delivery.Status.SUCCEEDED).count()
    endpoint.delete()
    return {
        "relay_tasks_queued": queued,
        "events": len(expected),
        "delivered": delivered,
        "bad_signatures": receiver.bad,
        "deliveries_succeeded": succeeded,
        "seconds": round(seconds, 2),
        "events_per_second": round(delivered / seconds, 1) if seconds else None,
        "complete": delivered == len(expected),
    }
