import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(monkeypatch, throttle_clock):
    cache.clear()
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"gateway": "3/min", "login": "3/min", "login_username": "2/min"},
    )
    yield
    cache.clear()


def test_gateway_over_its_rate_is_429_with_retry_after(staff_client, rates):
    for _ in range(3):
        assert staff_client.get("/getAllBilling").status_code == 200
    response = staff_client.get("/getAllBilling")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["success"] == "false"
    assert response.json()["message"].startswith("Request was throttled.")


@pytest.mark.parametrize("path", ["/login", "/api/auth/token/"])
def test_login_is_throttled_per_address(api_client, rates, path):
    statuses = [
        api_client.post(path, {"username": f"user{n}", "password": "x"}, format="json").status_code
        for n in range(4)
    ]
    assert statuses == [401, 401, 401, 429]


def test_login_is_throttled_per_username_from_any_address(api_client, rates):
    def attempt(address, username="victim"):
        return api_client.post(
            "/login",
            {"username": username, "password": "guess"},
            format="json",
            REMOTE_ADDR=address,
        ).status_code

    assert [attempt("10.0.0.1"), attempt("10.0.0.2")] == [401, 401]
    assert attempt("10.0.0.3") == 429
    assert attempt("10.0.0.4", username="VICTIM ") == 429  # the same account, spelled apart
    assert attempt("10.0.0.5", username="someone-else") == 401


def test_admin_login_is_throttled(client, rates):
    statuses = [
        client.post("/admin/login/", {"username": "admin", "password": "wrong"}).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert client.get("/admin/login/").status_code == 200


def test_a_client_costs_one_counter_per_window(staff_client, rates, monkeypatch):
    # One integer per client and minute, whatever the rate: not a list of every
    # request's time, read and written whole on each request.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"gateway": "1000/min"})
    for _ in range(20):
        assert staff_client.get("/getAllBilling").status_code == 200
    user_id = get_user_model().objects.get(is_staff=True).pk
    window = int(1_000_010.0 // 60)
    assert cache.get(f"throttle_gateway_{user_id}:{window}") == 20
