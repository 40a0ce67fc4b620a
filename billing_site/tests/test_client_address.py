"""The client address of the request log, the throttles and the login lock-out:
REMOTE_ADDR, unless TRUSTED_PROXIES says a proxy in front (nginx, deploy/)
appends the address it saw to X-Forwarded-For; what a client writes there itself
is never believed."""

import pytest

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


def test_a_forged_forwarded_for_does_not_escape_the_login_lockout(
    api_client, settings, lockout_clock
):
    settings.THROTTLE_LOGIN_FAILURES_PER_ADDRESS = 3
    statuses = [
        api_client.post(
            "/login",
            {"username": f"user{n}", "password": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
