"""Token authentication: the user with the ledger's answer to whether it acts for
customers (``settings.API_USER_CUSTOMERS``) in one query, or none from the
shared cache; a token verified once is not decoded again."""

import ast
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Value
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIRequestFactory
from rest_framework_simplejwt.tokens import AccessToken

from billing_site.api import backends, revocation, tokens
from billing_site.api.authentication import JWTAuthentication
from invoices.tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

API = Path(__file__).resolve().parents[1] / "api"
APPS = {"audit", "bills", "invoices", "payments", "reports"}


@pytest.fixture(autouse=True)
def fresh_process():
    """Nothing this process learned in earlier tests."""
    revocation.forget()
    backends.forget_recent()
    yield
    revocation.forget()
    backends.forget_recent()


def authenticate(token):
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token}")
    user, _ = JWTAuthentication().authenticate(request)
    return user


def acts_for_none():
    """A ledger whose users act for no customer."""
    return Value(False, output_field=BooleanField())


def test_the_user_and_its_customer_links_are_read_in_one_query():
    user = UserFactory()
    token = AccessToken.for_user(user)
    with CaptureQueriesContext(connection) as first:
        assert authenticate(token).acts_for_customers is False
    assert len(first) == 2  # whether the token was revoked, then the user
    assert "invoices_customer_users" in first[1]["sql"]
    CustomerFactory().users.add(user)
    with CaptureQueriesContext(connection) as again:
        assert authenticate(token).acts_for_customers is True
    assert len(again) == 1  # the token's revocation is known for PERMISSIONS_LOCAL_SECONDS


def test_the_ledgers_answer_comes_from_the_setting(settings):
    settings.API_USER_CUSTOMERS = f"{__name__}.acts_for_none"
    user = UserFactory()
    CustomerFactory().users.add(user)
    assert authenticate(AccessToken.for_user(user)).acts_for_customers is False


def test_with_the_shared_cache_a_known_token_costs_no_query(settings):
    settings.PERMISSIONS_CACHE_SECONDS = 300
    cache.clear()
    user = UserFactory(perms=["invoices.view_invoice"])
    token = AccessToken.for_user(user)
    authenticate(token)
    backends.forget_recent()  # another worker: asks the shared cache, not the database
    with CaptureQueriesContext(connection) as queries:
        again = authenticate(token)
    assert len(queries) == 0
    assert again.pk == user.pk and again.acts_for_customers is False
    assert again.has_perm("invoices.view_invoice")
    cache.clear()


def test_a_token_seen_again_is_not_decoded_again(monkeypatch):
    checked = []
    check_claim_types = tokens.check_claim_types
    monkeypatch.setattr(
        tokens, "check_claim_types", lambda payload: checked.append(1) or check_claim_types(payload)
    )
    token = str(tokens.AccessToken.for_user(UserFactory()))
    checked.clear()
    for _ in range(3):
        authenticate(token)
    assert len(checked) == 1


def test_the_api_plumbing_imports_no_app():
    # Imports point downward: the apps use billing_site, never the reverse.
    for path in API.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module]
            else:
                continue
            assert not {name.split(".")[0] for name in names} & APPS, path
