import datetime

import jwt
import pytest
from django.conf import settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from invoices.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROTECTED = [
    ("post", "/checkPaymentStatus"),
    ("post", "/updatePaymentStatus"),
    ("get", "/getAllBilling"),
]


@pytest.fixture
def user():
    return UserFactory(username="admin", password="password")


def test_login_returns_a_bearer_token_pair(api_client, user):
    response = api_client.post(
        "/login", {"username": "admin", "password": "password"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds())
    claims = jwt.decode(
        body["access_token"], settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"]
    )
    assert claims["user_id"] == str(user.pk)
    assert claims["token_type"] == "access"


def test_login_token_opens_the_api(api_client, user):
    token = api_client.post(
        "/login/", {"username": "admin", "password": "password"}, format="json"
    ).json()["access_token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api_client.get("/getAllBilling").status_code == 403  # authenticated, no permission


@pytest.mark.parametrize(
    "payload", [{"username": "admin", "password": "wrong"}, {"username": "nobody", "password": "x"}]
)
def test_login_with_wrong_credentials_is_401(api_client, user, payload):
    response = api_client.post("/login", payload, format="json")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_login_of_an_inactive_user_is_401(api_client):
    UserFactory(username="gone", password="password", is_active=False)
    response = api_client.post(
        "/login", {"username": "gone", "password": "password"}, format="json"
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        "{}",
        '{"username": "admin"}',
        '{"password": "x"}',
        '{"username": "admin",',
        "[]",
        '"admin"',
        '{"username": ["admin"], "password": "password"}',
    ],
)
def test_login_with_missing_fields_or_bad_json_is_400(api_client, user, body):
    response = api_client.post("/login", body, content_type="application/json")
    assert response.status_code == 400


def test_login_with_a_form_body_is_400(api_client, user):
    response = api_client.post(
        "/login",
        "username=admin&password=password",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


def test_login_wrong_method_is_405(api_client):
    assert api_client.get("/login").status_code == 405


def test_token_endpoints_obtain_refresh_and_logout(api_client, user):
    pair = api_client.post(
        "/api/auth/token/", {"username": "admin", "password": "password"}, format="json"
    ).json()
    assert set(pair) == {"access", "refresh"}
    refreshed = api_client.post(
        "/api/auth/token/refresh", {"refresh": pair["refresh"]}, format="json"
    )
    assert refreshed.status_code == 200
    new_refresh = refreshed.json()["refresh"]
    # The refresh token was rotated: the old one is blacklisted.
    again = api_client.post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json")
    assert again.status_code == 401
    assert (
        api_client.post("/api/auth/logout/", {"refresh": new_refresh}, format="json").status_code
        == 200
    )
    after_logout = api_client.post(
        "/api/auth/token/refresh/", {"refresh": new_refresh}, format="json"
    )
    assert after_logout.status_code == 401


def test_signing_key_is_set_and_not_a_django_default():
    key = settings.SIMPLE_JWT["SIGNING_KEY"]
    assert len(key) >= 50
    assert not key.startswith("django-insecure")


def _forged(user, **changes):
    claims = {
        "token_type": "access",
        "user_id": str(user.pk),
        "jti": "x" * 32,
        "exp": datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5),
    }
    claims.update(changes)
    return claims


def _bad_authorizations(user):
    expired = AccessToken.for_user(user)
    expired.set_exp(lifetime=-datetime.timedelta(seconds=1))
    refresh_as_access = RefreshToken.for_user(user)
    return {
        "missing": None,
        "empty": "",
        "no token": "Bearer",
        "wrong scheme": f"Token {AccessToken.for_user(user)}",
        "garbage": "Bearer not.a.token",
        "two parts": "Bearer a b",
        "expired": f"Bearer {expired}",
        "wrong signature": "Bearer "
        + jwt.encode(_forged(user), "another-key-" * 5, algorithm="HS256"),
        "alg none": "Bearer " + jwt.encode(_forged(user), None, algorithm="none"),
        "refresh token": f"Bearer {refresh_as_access}",
        "unknown user": "Bearer "
        + jwt.encode(
            _forged(user, user_id="999999"), settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256"
        ),
    }


@pytest.mark.parametrize("method,path", PROTECTED)
def test_every_gateway_route_needs_a_valid_bearer_token(api_client, method, path):
    user = UserFactory(is_staff=True, is_superuser=True)
    for case, header in _bad_authorizations(user).items():
        extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
        response = getattr(api_client, method)(path, {}, format="json", **extra)
        assert response.status_code == 401, case
        assert response.json()["success"] == "false", case
        assert response["WWW-Authenticate"].startswith("Bearer"), case


def test_a_deactivated_users_token_stops_working_at_once(api_client):
    user = UserFactory(is_staff=True, is_superuser=True)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    assert api_client.get("/getAllBilling").status_code == 200
    user.is_active = False
    user.save()
    assert api_client.get("/getAllBilling").status_code == 401


def test_a_token_verified_before_is_refused_once_it_expires(api_client, monkeypatch):
    # A process keeps the tokens it verified, but checks each one's expiry every time.
    user = UserFactory(is_staff=True, is_superuser=True)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    assert api_client.get("/getAllBilling").status_code == 200
    later = datetime.datetime.now(datetime.UTC) + settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
    monkeypatch.setattr("rest_framework_simplejwt.tokens.aware_utcnow", lambda: later)
    monkeypatch.setattr("billing_site.api.authentication.time.time", later.timestamp)
    response = api_client.get("/getAllBilling")
    assert response.status_code == 401
    assert response.json()["success"] == "false"
