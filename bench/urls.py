"""The project's routes plus the two baselines the gateway is compared with."""

from django.urls import path

from billing_site.urls import handler400, handler403, handler404, handler500, urlpatterns

from . import baseline

urlpatterns = [
    path("bench/bare", baseline.bare, name="bench-bare"),
    path("bench/plain-check", baseline.plain_check, name="bench-plain-check"),
    *urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
