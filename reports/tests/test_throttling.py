import uuid

import pytest
from django.core.cache import cache
from rest_framework.throttling import ScopedRateThrottle

from billing_site.testing import (
    TEST_REDIS_URL,
    bearer_client,
    demo_server,
    http_call,
    redis_reachable,
    wait_for_a_fresh_minute,
)
from invoices.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_101st_request_in_a_minute_is_429(monkeypatch, throttle_clock):
    cache.clear()
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"reports": "100/min"})
    client = bearer_client(UserFactory(perms=["reports.view_billingreport", "api.use_reports"]))
    statuses = [client.get("/api/v2/reports/").status_code for _ in range(100)]
    assert statuses == [200] * 100
    response = client.get("/api/v2/reports/customer-summary/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["detail"].startswith("Request was throttled.")
    other = bearer_client(UserFactory(perms=["reports.view_billingreport", "api.use_reports"]))
    assert other.get("/api/v2/reports/").status_code == 200  # per user
    cache.clear()


@pytest.mark.server
@pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379")
def test_the_rate_holds_across_gunicorn_workers_with_redis(tmp_path):
    env = {
        "REDIS_URL": TEST_REDIS_URL,
        "CACHE_KEY_PREFIX": uuid.uuid4().hex,
        "THROTTLE_REPORTS": "5/min",
    }
    with demo_server(tmp_path, workers=2, **env) as (base, token):
        wait_for_a_fresh_minute(needed=10)  # the limit counts per minute
        statuses = [http_call(f"{base}/api/v2/reports/", token=token)[0] for _ in range(12)]
    assert statuses == [200] * 5 + [429] * 7
