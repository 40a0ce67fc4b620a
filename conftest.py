import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from billing_site.api.throttles import forget_slices
from billing_site.testing import bearer_client
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import UserFactory


@pytest.fixture
def throttle_clock(monkeypatch):
    """Throttles count per minute window: hold their clock inside one window, so
    a test's requests never straddle two."""
    monkeypatch.setattr(SimpleRateThrottle, "timer", staticmethod(lambda: 1_000_010.0))
    forget_slices()  # allowance held from an earlier test's requests in this window


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def gateway_user(db):
    """A payment gateway's user, holding what the demo's does (``payments.demo``)."""
    return UserFactory(perms=["api.use_gateway", VIEW_ALL_CUSTOMERS])


@pytest.fixture
def gateway_client(gateway_user):
    return bearer_client(gateway_user)


@pytest.fixture
def staff_client(db):
    return bearer_client(UserFactory(is_staff=True, is_superuser=True))
