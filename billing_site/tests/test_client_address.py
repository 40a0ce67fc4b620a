"""The client address of the request log and the throttles: REMOTE_ADDR, unless
TRUSTED_PROXIES says a proxy in front (nginx, deploy/) appends the address it saw
to X-Forwarded-For; what a client writes there itself is never believed."""

import pytest
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from audit.models import RequestLog

pytestmark = pytest.mark.django_db

FORGED_THEN_SEEN = "198.51.100.66, 203.0.113.9"  # the client's own words, then nginx's


@pytest.mark.parametrize(("proxies", "logged"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_the_log_keeps_the_address_the_trusted_proxy_saw(api_client, settings, proxies, logged):
    settings.TRUSTED_PROXIES = proxies
    api_client.post(
        "/login",
        {"username": "nobody", "password": "x"},
        format="json",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=FORGED_THEN_SEEN,
    )
    assert RequestLog.objects.get().client_address == logged


def test_a_forged_forwarded_for_does_not_escape_the_login_throttle(
    api_client, monkeypatch, throttle_clock
):
    cache.clear()
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"login": "3/min", "login_username": "100/min"}
    )
    statuses = [
        api_client.post(
            "/login",
            {"username": f"user{n}", "password": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(4)
    ]
    cache.clear()
    assert statuses == [401, 401, 401, 429]
