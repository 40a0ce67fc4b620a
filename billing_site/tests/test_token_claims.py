"""A correctly signed token whose claims have the wrong types is a 401 in the
face's own error shape, never a 500."""

import datetime

import jwt
import pytest
from django.conf import settings

from invoices.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# A route of each face, and the keys of its error body.
FACES = [
    ("post", "/checkPaymentStatus", {"success", "message"}),
    ("get", "/api/v1/invoices/", {"detail"}),
    ("get", "/api/v1/get_all_invoice_ids", {"status", "errorCode", "message"}),
    ("get", "/api/v2/reports/", {"detail"}),
    ("get", "/api/collections/", {"message", "errors"}),
    ("post", "/api/v1/usage/report", {"detail"}),
]

ODD_CLAIMS = {
    "exp a string": {"exp": "9999999999"},
    "exp a float string": {"exp": "1e10"},
    "exp null": {"exp": None},
    "exp a list": {"exp": [9999999999]},
    "exp true": {"exp": True},
    "exp past every date": {"exp": 10**30},
    "exp huge negative": {"exp": -(10**30)},
    "exp not a number": {"exp": float("nan")},
    "user_id a list": {"user_id": ["1"]},
    "user_id a dict": {"user_id": {"id": 1}},
    "user_id huge": {"user_id": 10**30},
    "user_id huge text": {"user_id": "9" * 40},
    "user_id negative": {"user_id": -1},
    "user_id true": {"user_id": True},
    "user_id null": {"user_id": None},
    "user_id a float": {"user_id": 1.5},
    "user_id empty": {"user_id": ""},
    "user_id Arabic-Indic": {"user_id": "\u0661"},
    "user_id with a NUL": {"user_id": "1\x00"},
    "token_type a number": {"token_type": 1},
    "token_type a list": {"token_type": ["access"]},
    "token_type null": {"token_type": None},
    "jti a number": {"jti": 5},
    "jti a list": {"jti": ["x"]},
    "jti null": {"jti": None},
    "jti missing": {"jti": ...},
    "iat a string": {"iat": "yesterday"},
    "nbf a string": {"nbf": "now"},
}


def signed(**claims) -> str:
    """A token signed with the settings' key: only its claims are odd."""
    base = {
        "token_type": "access",
        "user_id": "",
        "jti": "a" * 32,
        "iat": int(datetime.datetime.now(datetime.UTC).timestamp()),
        "exp": int(
            (datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)).timestamp()
        ),
    }
    base.update(claims)
    base = {key: value for key, value in base.items() if value is not ...}
    return jwt.encode(base, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256")


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


def test_a_well_formed_token_opens_every_face(api_client, staff):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {signed(user_id=str(staff.pk))}")
    for method, path, _ in FACES:
        response = getattr(api_client, method)(path, {}, format="json")
        assert response.status_code != 401, path


@pytest.mark.parametrize("case", ODD_CLAIMS)
def test_a_signed_token_with_odd_claims_is_a_401_on_every_face(api_client, staff, case):
    claims = {"user_id": str(staff.pk), **ODD_CLAIMS[case]}
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {signed(**claims)}")
    for method, path, keys in FACES:
        for _ in range(2):  # the second time from what the worker kept, if anything
            response = getattr(api_client, method)(path, {}, format="json")
            assert response.status_code == 401, (case, path, response.content)
            assert keys <= set(response.json()), (case, path)


@pytest.mark.parametrize("case", ODD_CLAIMS)
def test_a_refresh_token_with_odd_claims_is_a_401(api_client, staff, case):
    claims = {"user_id": str(staff.pk), "token_type": "refresh", **ODD_CLAIMS[case]}
    token = signed(**claims)
    for path in ("/api/auth/token/refresh/", "/api/auth/logout/"):
        response = api_client.post(path, {"refresh": token}, format="json")
        assert response.status_code == 401, (case, path, response.content)
        assert "detail" in response.json()
