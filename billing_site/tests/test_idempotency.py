import hashlib
import io
import json
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from billing_site.api.idempotency import idempotent
from billing_site.api.models import IdempotencyKey
from billing_site.faults import free_port
from billing_site.testing import bearer_client
from bills.models import Bill
from bills.services import collection_create
from bills.tests.test_bills_api import DOCUMENT_BILL
from invoices.models import Invoice
from invoices.tests.factories import CustomerFactory, InvoiceFactory, UserFactory
from payments.models import Payment
from payments.services import payment_record

pytestmark = pytest.mark.django_db


def dead_redis_url() -> str:
    """A Redis URL where nothing listens: connections are refused at once."""
    return f"redis://127.0.0.1:{free_port()}/0"


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
        assert retry["Content-Type"] == first["Content-Type"] == "application/json", path
    assert Invoice.objects.count() == 2
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_bills_honour_the_key_with_their_work_in_one_transaction(client):
    collection_create(code="idem", title="Idem", organization_name="Org")
    created = [post(client, "/api/collections/idem/bills", DOCUMENT_BILL, "bill") for _ in range(2)]
    assert [answer.status_code for answer in created] == [200, 200], created[0].content
    assert created[1].content == created[0].content and Bill.objects.count() == 1
    path = f"/api/collections/idem/bills/{Bill.objects.get().bill_no}"
    changed = [
        client.patch(
            path,
            json.dumps({"ref1": "late"}),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="change",
        )
        for _ in range(2)
    ]
    assert [answer.status_code for answer in changed] == [200, 200], changed[0].content
    assert changed[1]["Idempotent-Replayed"] == "true"


def test_expired_keys_are_purged_and_reusable(client, user, settings):
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    path = f"/api/v1/invoices/{invoice.pk}/payments"
    post(client, path, {"amount": "1", "method": "cash"}, "old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timezone.timedelta(days=2))
    out = io.StringIO()
    call_command("purge_idempotency_keys", "--dry-run", stdout=out)
    assert out.getvalue() == "Dry run: 1 expired keys.\n"
    assert IdempotencyKey.objects.count() == 1
    call_command("purge_idempotency_keys", "-v", "0", stdout=out)
    assert not IdempotencyKey.objects.exists()
    assert out.getvalue() == "Dry run: 1 expired keys.\n"  # and nothing more at -v 0
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


def test_keys_live_in_the_database_even_with_redis_configured_and_down(client, settings):
    # Never only in Redis: a Redis that is down changes nothing.
    settings.CACHES = {
        "default": {"BACKEND": "billing_site.api.cache.RedisCache", "LOCATION": dead_redis_url()}
    }
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    path = f"/api/v1/invoices/{invoice.pk}/payments"
    first = post(client, path, {"amount": "1", "method": "cash"}, "in-db")
    retry = post(client, path, {"amount": "1", "method": "cash"}, "in-db")
    assert (first.status_code, retry.content) == (201, first.content)
    assert post(client, path, {"amount": "2", "method": "cash"}, "in-db").status_code == 422
    assert Payment.objects.count() == 1
    assert IdempotencyKey.objects.get(key="in-db").status_code == 201


def test_a_dead_requests_key_is_409_until_its_lease_ends_then_taken_over(client, user):
    # The first request's process died (kill -9) after claiming the key: its work
    # rolled back with its connection, its key stays in flight.
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    path = f"/api/v1/invoices/{invoice.pk}/payments"
    body = {"amount": "1", "method": "cash"}
    fingerprint = hashlib.sha256(f"POST {path}\n{json.dumps(body)}".encode()).hexdigest()
    IdempotencyKey.objects.create(user=user, key="dead", fingerprint=fingerprint, lease_token="x")
    assert post(client, path, body, "dead").status_code == 409
    IdempotencyKey.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    # Another request under the key is still refused, lease or not.
    assert post(client, path, {"amount": "2", "method": "cash"}, "dead").status_code == 422
    first = post(client, path, body, "dead")
    assert first.status_code == 201
    retry = post(client, path, body, "dead")
    assert (retry.status_code, retry.content) == (201, first.content)
    assert Payment.objects.count() == 1


class PaymentThenSignal(APIView):
    """A payment handler that records the payment, then runs ``then`` (a test's
    stand-in for a process stopped or stalled half-way), then answers."""

    then = staticmethod(lambda request: None)

    @idempotent
    def post(self, request, invoice_id):
        payment = payment_record(
            invoice_id=invoice_id, amount=Decimal("1"), method="cash", recorded_by=request.user
        )
        self.then(request)
        return Response({"payment": payment.pk}, status=201)


def call(view, user, invoice, key, then):
    path = f"/api/v1/invoices/{invoice.pk}/payments"
    request = APIRequestFactory().post(
        path,
        json.dumps({"amount": "1", "method": "cash"}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    force_authenticate(request, user=user)
    return view.as_view(then=staticmethod(then))(request, invoice_id=invoice.pk)


@pytest.mark.parametrize("stop", [SystemExit(1), KeyboardInterrupt(), RuntimeError("bug")])
def test_a_request_stopped_half_way_rolls_back_and_releases_its_key(client, user, stop):
    # gunicorn's timeout raises SystemExit in the worker: not an Exception.
    invoice = InvoiceFactory(amount=Decimal("100.00"))

    def interrupted(request):
        raise stop

    with pytest.raises(type(stop)):
        call(PaymentThenSignal, user, invoice, "stopped", interrupted)
    assert not Payment.objects.exists()
    assert not IdempotencyKey.objects.exists()
    path = f"/api/v1/invoices/{invoice.pk}/payments"
    assert post(client, path, {"amount": "1", "method": "cash"}, "stopped").status_code == 201
    assert Payment.objects.count() == 1


def test_a_request_whose_key_was_taken_over_keeps_nothing(user):
    # It stalled past its lease and a retry took the key over (a committed
    # UPDATE, made here from inside): its answer cannot be saved, so its
    # payment rolls back with it.
    invoice = InvoiceFactory(amount=Decimal("100.00"))

    def taken_over(request):
        IdempotencyKey.objects.update(lease_token="the-retry")

    response = call(PaymentThenSignal, user, invoice, "taken", taken_over)
    assert response.status_code == 409
    assert "took it over" in response.data["detail"]
    assert not Payment.objects.exists()


@pytest.mark.skipif(connection.vendor != "mysql", reason="needs MariaDB's row locks")
@pytest.mark.django_db(transaction=True)
def test_a_stalled_request_and_the_retry_that_took_over_pay_once_on_mariadb(user, settings):
    from django.db import connections

    settings.IDEMPOTENCY_LEASE_SECONDS = 1
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    paid, resume, answers = threading.Event(), threading.Event(), {}

    def stall(request):
        paid.set()
        assert resume.wait(30)

    def first():
        try:
            answers["first"] = call(PaymentThenSignal, user, invoice, "stall", stall).status_code
        finally:
            connections.close_all()

    def retry():
        try:
            path = f"/api/v1/invoices/{invoice.pk}/payments"
            body = {"amount": "1", "method": "cash"}
            answers["retry"] = post(bearer_client(user), path, body, "stall").status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=retry)]
    threads[0].start()
    assert paid.wait(30)  # its payment made, not committed, its lease running out
    time.sleep(1.2)
    threads[1].start()  # takes the key over, then waits for the invoice's row lock
    time.sleep(0.5)
    resume.set()  # the first goes on: its save finds the retry's lease and rolls back
    for thread in threads:
        thread.join(30)
    assert answers == {"first": 409, "retry": 201}
    assert Payment.objects.count() == 1
    assert IdempotencyKey.objects.get(key="stall").status_code == 201
