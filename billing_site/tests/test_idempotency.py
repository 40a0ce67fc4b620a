import hashlib
import json
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from billing_site.api.models import IdempotencyKey
from billing_site.testing import TEST_REDIS_URL, bearer_client, redis_reachable
from invoices.models import Invoice
from invoices.tests.factories import CustomerFactory, InvoiceFactory, UserFactory
from payments.models import Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def client(user):
    return bearer_client(user)


def post(client, path, body, key):
    return client.post(
        path, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_a_retried_payment_is_recorded_once_and_answered_byte_for_byte(client):
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    path = f"/api/v1/invoices/{invoice.pk}/payments"
    first = post(client, path, {"amount": "10.00", "method": "cash"}, "pay-1")
    retry = post(client, path, {"amount": "10.00", "method": "cash"}, "pay-1")
    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry["Content-Type"] == first["Content-Type"]
    assert retry["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1
    assert post(client, path, {"amount": "10.00", "method": "cash"}, "pay-2").status_code == 201
    assert Payment.objects.count() == 2


def test_the_same_key_with_another_body_is_422(client):
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    path = f"/api/v1/invoices/{invoice.pk}/payments"
    post(client, path, {"amount": "10.00", "method": "cash"}, "k")
    response = post(client, path, {"amount": "20.00", "method": "cash"}, "k")
    assert response.status_code == 422
    assert Payment.objects.count() == 1


def test_a_retry_while_the_first_runs_is_409(client, user):
    invoice = InvoiceFactory()
    path = f"/api/v1/invoices/{invoice.pk}/payments"
    body = json.dumps({"amount": "1", "method": "cash"})
    # The first request with this key holds it and has not answered yet.
    running = hashlib.sha256(f"POST {path}\n{body}".encode()).hexdigest()
    IdempotencyKey.objects.create(user=user, key="busy", fingerprint=running)
    response = client.post(path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="busy")
    assert response.status_code == 409
    assert not Payment.objects.exists()


def test_keys_are_per_user(client):
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    path = f"/api/v1/invoices/{invoice.pk}/payments"
    post(client, path, {"amount": "1", "method": "cash"}, "shared")
    other = bearer_client(UserFactory(is_staff=True, is_superuser=True))
    assert post(other, path, {"amount": "1", "method": "cash"}, "shared").status_code == 201
    assert Payment.objects.count() == 2


def test_a_request_that_fails_validation_releases_its_key(client):
    invoice = InvoiceFactory()
    path = f"/api/v1/invoices/{invoice.pk}/payments"
    assert post(client, path, {"amount": "-1", "method": "cash"}, "retry-me").status_code == 400
    assert post(client, path, {"amount": "1", "method": "cash"}, "retry-me").status_code == 201


@pytest.mark.parametrize("key", ["", "x" * 256, "bad\nkey", "with space", "clé"])
def test_malformed_keys_are_400(client, key):
    invoice = InvoiceFactory()
    response = client.post(
        f"/api/v1/invoices/{invoice.pk}/payments",
        {"amount": "1", "method": "cash"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Idempotency-Key must be 1 to 255 visible ASCII characters."
    }
    assert not Payment.objects.exists()


def test_every_creating_endpoint_honours_the_key(client):
    customer = CustomerFactory()
    invoice = InvoiceFactory(customer=customer, number="333333", order_id="4499494")
    cases = [
        (
            "/api/v1/invoices/",
            {
                "customer_id": customer.pk,
                "amount": "5",
                "date": "2023-01-01",
                "due_date": "2023-01-31",
            },
        ),
        ("/updatePaymentStatus", {"orderID": 4499494, "billingNumber": 333333}),
        (
            "/api/v2/reports/generate/",
            {"customer_id": customer.pk, "start_date": "2023-01-01", "end_date": "2023-01-31"},
        ),
    ]
    for path, body in cases:
        first = post(client, path, body, f"key-{path}")
        retry = post(client, path, body, f"key-{path}")
        assert first.status_code in (200, 201), (path, first.content)
        assert (retry.status_code, retry.content) == (first.status_code, first.content), path
    assert Invoice.objects.count() == 2
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_expired_keys_are_purged_and_reusable(client, user, settings):
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    path = f"/api/v1/invoices/{invoice.pk}/payments"
    post(client, path, {"amount": "1", "method": "cash"}, "old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timezone.timedelta(days=2))
    call_command("purge_idempotency_keys")
    assert not IdempotencyKey.objects.exists()
    assert post(client, path, {"amount": "1", "method": "cash"}, "old").status_code == 201
    assert Payment.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "mysql", reason="needs MariaDB's row locks")
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_do_the_work_once_on_mariadb(user):
    from django.db import connections

    invoice = InvoiceFactory(amount=Decimal("100.00"))
    path = f"/api/v1/invoices/{invoice.pk}/payments"
    barrier, statuses = threading.Barrier(10), []

    def one():
        barrier.wait()
        try:
            statuses.append(
                post(
                    bearer_client(user), path, {"amount": "1", "method": "cash"}, "same"
                ).status_code
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Payment.objects.count() == 1
    assert set(statuses) <= {201, 409} and 201 in statuses


@pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379")
def test_keys_live_in_redis_when_it_is_configured(client, settings):
    import uuid

    settings.IDEMPOTENCY_KEY_TTL = 60  # what the test leaves in Redis goes away soon
    settings.REDIS_URL = TEST_REDIS_URL
    settings.CACHES = {
        "default": {
            "BACKEND": "billing_site.api.cache.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": uuid.uuid4().hex,
        }
    }
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    path = f"/api/v1/invoices/{invoice.pk}/payments"
    first = post(client, path, {"amount": "1", "method": "cash"}, "in-redis")
    retry = post(client, path, {"amount": "1", "method": "cash"}, "in-redis")
    assert (first.status_code, retry.content) == (201, first.content)
    assert post(client, path, {"amount": "2", "method": "cash"}, "in-redis").status_code == 422
    assert Payment.objects.count() == 1
    assert not IdempotencyKey.objects.exists()
