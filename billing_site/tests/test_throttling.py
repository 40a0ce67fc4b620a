import pytest
from django.core.cache import cache
from rest_framework.throttling import ScopedRateThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway_rate(monkeypatch):
    cache.clear()
    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {"gateway": "3/min", "login": "2/min"}
    )
    yield
    cache.clear()


def test_gateway_over_its_rate_is_429_with_retry_after(staff_client, gateway_rate):
    for _ in range(3):
        assert staff_client.get("/getAllBilling").status_code == 200
    response = staff_client.get("/getAllBilling")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["success"] == "false"
    assert response.json()["message"].startswith("Request was throttled.")


def test_login_is_throttled_per_address(api_client, gateway_rate):
    for _ in range(2):
        api_client.post("/login", {"username": "x", "password": "y"}, format="json")
    response = api_client.post("/login", {"username": "x", "password": "y"}, format="json")
    assert response.status_code == 429
    assert "Retry-After" in response
