"""Logins: successful ones are never limited; failed ones lock their username
(5 failures) and their client address (20) out for 15 minutes, on ``/login``,
``/api/auth/token/`` and the admin's login page."""

import uuid

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from billing_site.api import lockout
from billing_site.testing import TEST_REDIS_URL, http_call, redis_reachable, serve
from invoices.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-password-1"  # UserFactory's
LOCKOUT_SECONDS = 900


@pytest.fixture
def user():
    return UserFactory(username="gateway-client")


def login(client, username, password=PASSWORD, address="192.0.2.1", path="/login"):
    credentials = {"username": username, "password": password}
    return client.post(path, credentials, format="json", REMOTE_ADDR=address)


def assert_locked_out(response, seconds=LOCKOUT_SECONDS):
    assert response.status_code == 429
    assert response["Retry-After"] == str(seconds)
    body = response.json()
    assert set(body) == {"success", "message"}
    assert body["success"] == "false"
    assert body["message"].startswith("Too many failed logins")


@pytest.mark.parametrize(
    ("path", "token"), [("/login", "access_token"), ("/api/auth/token/", "access")]
)
def test_successful_logins_are_never_throttled(api_client, user, lockout_clock, path, token):
    for _ in range(50):
        response = login(api_client, "gateway-client", path=path)
        assert response.status_code == 200
        assert response.json()[token]


def test_failed_logins_lock_the_username_out_from_every_address(api_client, user, lockout_clock):
    statuses = [
        login(api_client, "gateway-client", "guess", address=f"192.0.2.{n}").status_code
        for n in range(1, 6)
    ]
    assert statuses == [401] * 5
    # The right password from a new address is refused too, however the name is spelled.
    assert_locked_out(login(api_client, "gateway-client", address="192.0.2.50"))
    assert_locked_out(login(api_client, " Gateway-Client", address="192.0.2.51"))
    # Another account from an address that failed is not locked out.
    UserFactory(username="another")
    assert login(api_client, "another", address="192.0.2.1").status_code == 200


def test_a_lockout_is_released_after_its_time(api_client, user, lockout_clock):
    for _ in range(5):
        assert login(api_client, "gateway-client", "guess").status_code == 401
    lockout_clock[0] += LOCKOUT_SECONDS - 1
    assert_locked_out(login(api_client, "gateway-client"), seconds=1)
    lockout_clock[0] += 1
    assert login(api_client, "gateway-client").status_code == 200


def test_failures_count_within_a_window(api_client, user, lockout_clock):
    for _ in range(4):
        assert login(api_client, "gateway-client", "guess").status_code == 401
    lockout_clock[0] += 900  # the next window: the four are forgotten
    for _ in range(4):
        assert login(api_client, "gateway-client", "guess").status_code == 401
    assert login(api_client, "gateway-client").status_code == 200


def test_failed_logins_lock_the_address_out_for_every_username(api_client, user, lockout_clock):
    statuses = [
        login(api_client, f"nobody-{n}", "guess", address="198.51.100.7").status_code
        for n in range(20)
    ]
    assert statuses == [401] * 20
    assert_locked_out(login(api_client, "gateway-client", address="198.51.100.7"))
    assert login(api_client, "gateway-client", address="198.51.100.8").status_code == 200
    lockout_clock[0] += LOCKOUT_SECONDS
    assert login(api_client, "gateway-client", address="198.51.100.7").status_code == 200


def test_an_inactive_accounts_logins_are_failures(api_client, lockout_clock):
    UserFactory(username="gone", is_active=False)
    assert [login(api_client, "gone").status_code for _ in range(6)] == [401] * 5 + [429]


def test_the_token_endpoint_locks_out_in_its_shape(api_client, user, lockout_clock):
    for _ in range(5):
        assert (
            login(api_client, "gateway-client", "guess", path="/api/auth/token/").status_code == 401
        )
    response = login(api_client, "gateway-client", path="/api/auth/token/")
    assert response.status_code == 429
    assert response["Retry-After"] == str(LOCKOUT_SECONDS)
    assert set(response.json()) == {"detail"}
    assert response.json()["detail"].startswith("Too many failed logins")
    assert_locked_out(login(api_client, "gateway-client"))  # one count for both endpoints


def test_the_admin_login_locks_out(client, lockout_clock):
    UserFactory(username="staff", is_staff=True)

    def attempt(password):
        return client.post("/admin/login/", {"username": "staff", "password": password})

    assert [attempt("guess").status_code for _ in range(5)] == [200] * 5  # the form again
    response = attempt(PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == str(LOCKOUT_SECONDS)
    assert client.get("/admin/login/").status_code == 200
    lockout_clock[0] += LOCKOUT_SECONDS
    assert attempt(PASSWORD).status_code == 302  # logged in


def test_missing_fields_are_no_failed_login(api_client, user, lockout_clock):
    for _ in range(10):
        assert (
            api_client.post("/login", {"username": "gateway-client"}, format="json").status_code
            == 400
        )
    assert login(api_client, "gateway-client").status_code == 200


def test_code_that_checks_a_password_counts_no_failed_login(user, lockout_clock):
    for _ in range(10):
        assert authenticate(username="gateway-client", password="guess") is None
    request = RequestFactory().post("/login", REMOTE_ADDR="192.0.2.1")
    assert lockout.seconds_locked_out(request, "gateway-client") == 0


def test_without_redis_each_worker_counts_and_locks_out_by_itself(
    api_client, user, lockout_clock, redis_down
):
    for _ in range(5):
        assert login(api_client, "gateway-client", "guess").status_code == 401
    assert_locked_out(login(api_client, "gateway-client"))


@pytest.mark.skipif(not redis_reachable(), reason="needs the test Redis")
def test_every_gunicorn_worker_applies_a_lockout(tmp_path):
    env = {
        "REDIS_URL": TEST_REDIS_URL,
        "CACHE_KEY_PREFIX": f"lockout-{uuid.uuid4().hex}",
        "THROTTLE_LOGIN_FAILURES_PER_USERNAME": "5",
    }
    with serve(tmp_path, workers=3, **env) as server:

        def attempt(password):
            credentials = {"username": "admin", "password": password}
            return http_call(f"{server.base}/login", credentials)[0]

        # Each connection may meet another worker: the count and the lock-out are shared.
        assert [attempt("password") for _ in range(9)] == [200] * 9
        assert [attempt("guess") for _ in range(5)] == [401] * 5
        assert [attempt("password") for _ in range(30)] == [429] * 30
