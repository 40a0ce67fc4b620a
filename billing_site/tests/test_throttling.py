import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(monkeypatch, throttle_clock):
    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"gateway": "3/min"})
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


def test_a_client_costs_one_counter_per_window(staff_client, rates, monkeypatch):
    # One integer per client and minute, whatever the rate: not a list of every
    # request's time, read and written whole on each request.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"gateway": "1000/min"})
    for _ in range(20):
        assert staff_client.get("/getAllBilling").status_code == 200
    user_id = get_user_model().objects.get(is_staff=True).pk
    window = int(1_000_010.0 // 60)
    assert cache.get(f"throttle_gateway_{user_id}:{window}") == 20


def _counter(user_id):
    return cache.get(f"throttle_gateway_{user_id}:{int(1_000_010.0 // 60)}")


def test_a_worker_takes_a_busy_clients_allowance_in_slices(staff_client, rates, monkeypatch):
    # A hundredth of the rate at a time: one cache round trip per 10 requests here.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"gateway": "1000/min"})
    user_id = get_user_model().objects.get(is_staff=True).pk
    for _ in range(10):
        assert staff_client.get("/getAllBilling").status_code == 200
    assert _counter(user_id) == 10  # one slice taken, all of it spent
    assert staff_client.get("/getAllBilling").status_code == 200
    assert _counter(user_id) == 20  # the next slice
    for _ in range(9):
        assert staff_client.get("/getAllBilling").status_code == 200
    assert _counter(user_id) == 20


def test_slices_never_admit_more_than_the_rate(staff_client, rates, monkeypatch):
    # Other workers have taken all but 4 of the window's 1,000; a slice is 10.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"gateway": "1000/min"})
    user_id = get_user_model().objects.get(is_staff=True).pk
    cache.set(f"throttle_gateway_{user_id}:{int(1_000_010.0 // 60)}", 996)
    statuses = [staff_client.get("/getAllBilling").status_code for _ in range(6)]
    assert statuses == [200] * 4 + [429] * 2


def test_a_flood_of_new_clients_never_resets_a_count_kept_without_redis(monkeypatch):
    from billing_site.api import throttles

    monkeypatch.setattr(throttles, "_SLICES_LIMIT", 3)
    throttles.forget_slices()
    try:
        assert throttles._admit_locally("address", 1, limit=1)
        assert not throttles._admit_locally("address", 1, limit=1)  # over its rate
        assert throttles._admit_locally("made-up-1", 1, limit=1)
        assert throttles._admit_locally("made-up-2", 1, limit=1)
        assert not throttles._admit_locally("made-up-3", 1, limit=1)  # full: refused
        assert not throttles._admit_locally("address", 1, limit=1)  # still counted
        assert throttles._admit_locally("made-up-3", 2, limit=1)  # a new window frees room
    finally:
        throttles.forget_slices()
