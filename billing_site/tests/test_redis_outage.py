"""With REDIS_URL set and Redis gone, nothing is a 500: throttles count per
process, token users and permissions come from the database, idempotency keys
live in the database anyway, and a caller that cannot do without Redis answers
a 503. Real processes stop, stall and restart Redis in
``faults/test_redis_and_idempotency.py``."""

import json
import logging
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from billing_site.api.cache import CacheUnavailable
from billing_site.api.middleware import DatabaseUnavailableMiddleware
from billing_site.testing import bearer_client
from invoices.tests.factories import InvoiceFactory, UserFactory
from payments.models import Payment

pytestmark = pytest.mark.django_db


def test_every_face_answers_without_redis(redis_down, api_client, caplog):
    user = UserFactory(is_staff=True, is_superuser=True)
    login = api_client.post(
        "/login", {"username": user.username, "password": "secret-password-1"}, format="json"
    )
    assert login.status_code == 200, login.content
    client = bearer_client(user)
    invoice = InvoiceFactory(amount=Decimal("100.00"), number="333333", order_id="4499494")
    check = client.post(
        "/checkPaymentStatus", {"orderID": 4499494, "billingNumber": 333333}, format="json"
    )
    assert check.status_code == 200, check.content
    assert client.get("/api/v2/reports/").status_code == 200
    path, body = (
        f"/api/v1/invoices/{invoice.pk}/payments",
        json.dumps({"amount": "1", "method": "cash"}),
    )
    paid = [
        client.post(path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
        for _ in range(2)
    ]
    assert [answer.status_code for answer in paid] == [201, 201]
    assert paid[1].content == paid[0].content and Payment.objects.count() == 1
    # Logged once for the outage, not once per request (nor per cache user).
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [record.name for record in errors] == ["billing_site.api.cache"], errors


def test_throttles_count_per_process_while_redis_is_down(redis_down, staff_client, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"gateway": "3/min"})
    statuses = [staff_client.get("/getAllBilling").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


class NeedsTheCache(APIView):
    """A view that cannot do without the shared cache."""

    permission_classes = []

    def get(self, request):
        return Response({"value": cache.get("something")})


def test_a_view_that_cannot_do_without_redis_is_a_503(redis_down):
    response = NeedsTheCache.as_view()(APIRequestFactory().get("/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "shared cache cannot be used" in response.data["detail"]
    # Outside DRF (admin, pages) too.
    page = DatabaseUnavailableMiddleware(lambda request: None).process_exception(
        RequestFactory().get("/"), CacheUnavailable("down")
    )
    assert page.status_code == 503 and page["Retry-After"] == "5"
