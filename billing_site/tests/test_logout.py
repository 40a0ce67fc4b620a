"""Logout revokes the access token too: a deny-list of ``jti`` in the shared
cache until the token expires, refused at once by the worker that handled the
logout and within PERMISSIONS_LOCAL_SECONDS by every other."""

import datetime
import time
import uuid

import jwt
import pytest
from django.core.cache import cache

from billing_site.api import revocation
from billing_site.api.models import RevokedAccessToken
from billing_site.testing import TEST_REDIS_URL, http_call, redis_reachable, serve
from invoices.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(api_client):
    UserFactory(username="admin", password="password", is_staff=True, is_superuser=True)
    revocation.forget()
    tokens = api_client.post(
        "/api/auth/token/", {"username": "admin", "password": "password"}, format="json"
    ).json()
    yield tokens["access"], tokens["refresh"]
    revocation.forget()


def using(api_client, access):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return api_client


def test_logout_revokes_the_access_token_at_once(api_client, pair):
    access, refresh = pair
    client = using(api_client, access)
    assert client.get("/getAllBilling").status_code == 200  # verified and kept by this worker
    assert client.post("/api/auth/logout/", {"refresh": refresh}, format="json").status_code == 200
    for path, keys in (
        ("/getAllBilling", {"success", "message"}),
        ("/api/v1/invoices/", {"detail"}),
    ):
        response = client.get(path)
        assert response.status_code == 401, path
        assert keys <= set(response.json())
    client.credentials()
    again = client.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json")
    assert again.status_code == 401  # the refresh token is blacklisted as before


def test_a_failed_logout_revokes_nothing(api_client, pair):
    access, refresh = pair
    client = using(api_client, access)
    assert client.post("/api/auth/logout/", {}, format="json").status_code == 400
    assert client.post("/api/auth/logout/", {"refresh": "x.y.z"}, format="json").status_code == 401
    assert client.post("/api/auth/logout/", {"refresh": access}, format="json").status_code == 401
    assert client.get("/getAllBilling").status_code == 200
    # A header that holds no valid access token: the refresh token is still blacklisted.
    client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    assert client.post("/api/auth/logout/", {"refresh": refresh}, format="json").status_code == 200
    using(client, access)
    assert client.get("/getAllBilling").status_code == 200
    again = client.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json")
    assert again.status_code == 401


def test_another_worker_refuses_a_revoked_token_within_the_local_window(
    api_client, pair, settings, monkeypatch
):
    settings.PERMISSIONS_LOCAL_SECONDS = 1
    clock = [1000.0]
    monkeypatch.setattr(revocation.time, "monotonic", lambda: clock[0])
    access, _ = pair
    client = using(api_client, access)
    assert client.get("/getAllBilling").status_code == 200  # this worker: not revoked
    # Another worker logs the token out: this one hears of it only by asking.
    claims = jwt.decode(access, options={"verify_signature": False})
    RevokedAccessToken.objects.create(
        jti=claims["jti"], expires_at=datetime.datetime.fromtimestamp(claims["exp"], datetime.UTC)
    )
    clock[0] += 0.9
    assert client.get("/getAllBilling").status_code == 200  # within the window, not asked
    clock[0] += 0.2
    assert client.get("/getAllBilling").status_code == 401


def test_an_unreachable_cache_is_no_500_and_the_database_keeps_the_deny_list(
    api_client, pair, settings, monkeypatch
):
    def unreachable(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    settings.REDIS_URL = TEST_REDIS_URL  # configured, but every call fails
    access, refresh = pair
    monkeypatch.setattr(cache, "get", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)
    client = using(api_client, access)
    assert client.get("/getAllBilling").status_code == 200
    assert client.post("/api/auth/logout/", {"refresh": refresh}, format="json").status_code == 200
    assert client.get("/getAllBilling").status_code == 401  # this worker knows
    revocation.forget()  # another worker: asks, finds no cache, reads the record
    assert client.get("/getAllBilling").status_code == 401


def test_a_cache_that_forgot_does_not_undo_a_logout(api_client, pair, settings):
    settings.REDIS_URL = TEST_REDIS_URL
    access, refresh = pair
    client = using(api_client, access)
    assert client.post("/api/auth/logout/", {"refresh": refresh}, format="json").status_code == 200
    cache.clear()  # a Redis restarted without its data
    revocation.forget()
    assert client.get("/getAllBilling").status_code == 401
    assert RevokedAccessToken.objects.count() == 1


@pytest.mark.skipif(not redis_reachable(), reason="needs the test Redis")
def test_logout_reaches_every_gunicorn_worker(tmp_path):
    env = {"REDIS_URL": TEST_REDIS_URL, "CACHE_KEY_PREFIX": f"logout-{uuid.uuid4().hex}"}
    with serve(tmp_path, workers=3, **env) as server:
        status, pair = http_call(
            f"{server.base}/api/auth/token/", {"username": "admin", "password": "password"}
        )
        assert status == 200
        before = [
            http_call(f"{server.base}/getAllBilling", token=pair["access"])[0] for _ in range(30)
        ]
        assert before == [200] * 30  # every worker has verified and kept it
        status, _ = http_call(
            f"{server.base}/api/auth/logout/", {"refresh": pair["refresh"]}, token=pair["access"]
        )
        assert status == 200
        time.sleep(1.2)  # PERMISSIONS_LOCAL_SECONDS, 1 s
        after = [
            http_call(f"{server.base}/getAllBilling", token=pair["access"])[0] for _ in range(30)
        ]
        print(f"after logout: 200 x {after.count(200)}, 401 x {after.count(401)}")
        assert after == [401] * 30
