"""Django's sessions, messages and session user serve the admin's pages; every
other request goes without them (it authenticates by its own means, or not at all)."""

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import AnonymousUser
from django.core import checks
from django.urls import reverse

from audit.models import RequestLog
from billing_site.admin_sessions import ADMIN
from invoices.tests.factories import InvoiceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_api_request_opens_no_session_and_no_message_store(gateway_client):
    invoice = InvoiceFactory()
    body = {"orderID": invoice.order_id, "billingNumber": invoice.number}
    response = gateway_client.post("/checkPaymentStatus", body, format="json")
    assert response.status_code == 200
    request = response.wsgi_request
    assert not hasattr(request, "session") and not hasattr(request, "_messages")
    assert "Cookie" not in response.get("Vary", "") and not response.cookies


def test_a_staff_session_is_no_credential_outside_the_admin(client, django_assert_num_queries):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200  # the session is good there
    # A plain Django view (the unknown route's 404): the session is not read,
    # and the request's log row names no user.
    with django_assert_num_queries(1):  # the log row's INSERT
        response = client.get("/no-such-route")
    assert response.status_code == 404
    assert isinstance(response.wsgi_request.user, AnonymousUser)
    assert isinstance(async_to_sync(response.wsgi_request.auser)(), AnonymousUser)
    assert RequestLog.objects.get(endpoint="/no-such-route").user is None
    # A DRF view authenticates by token only, as before.
    assert client.get("/getAllBilling").status_code == 401


def test_the_admin_keeps_its_session_user_and_messages(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 200
    request = response.wsgi_request
    assert request.user == staff and hasattr(request, "session")
    assert hasattr(request, "_messages")
    # A message the admin adds is shown on its next page.
    response = client.post(
        "/admin/auth/user/add/",
        {"username": "newcomer", "password1": "x-Long-enough-9", "password2": "x-Long-enough-9"},
        follow=True,
    )
    assert response.status_code == 200
    assert any("newcomer" in str(message) for message in response.context["messages"])


def test_the_admin_is_where_its_sessions_are_kept():
    assert reverse("admin:index") == ADMIN


def test_the_admin_finds_the_middleware_it_needs():
    errors = [error for error in checks.run_checks() if error.id.startswith("admin.E4")]
    assert errors == []
