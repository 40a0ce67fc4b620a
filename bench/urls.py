"""The project's routes plus the two baselines the gateway is compared with."""

from django.urls import path

from billing_site.settings.env import env_bool
from billing_site.urls import handler400, handler403, handler404, handler500, urlpatterns

from . import baseline, events

if not env_bool("BENCH_OUTBOX", True):
    events.drop_every_event()  # the views are imported: their modules hold event_emit

urlpatterns = [
    path("bench/bare", baseline.bare, name="bench-bare"),
    path("bench/plain-check", baseline.plain_check, name="bench-plain-check"),
    *urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
