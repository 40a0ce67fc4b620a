import json
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from bills.services import collection_create, notification_signature
from bills.tests.test_bills_api import make_bill
from invoices.models import Invoice
from payments.models import Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def bill():
    return make_bill(collection_create(code="demo", title="Demo"))


def notification(bill, **changes):
    payload = {
        "bill_no": bill.bill_no,
        "amount": "105.00",
        "currency": "MYR",
        "ref_id": "txn-1",
        "paid": True,
        "status": "paid",
        **changes,
    }
    payload["signature"] = notification_signature(payload, bill.collection.callback_secret)
    return payload


def notify(payload, provider="sandbox"):
    return APIClient().post(f"/api/payments/callback/{provider}", payload, format="json")


def test_a_signed_notification_pays_the_bill(bill):
    response = notify(notification(bill))
    assert response.status_code == 200
    assert response.json()["message"] == "Payment recorded."
    assert (response.json()["balance"], response.json()["paid"]) == ("0.00", True)
    payment = Payment.objects.get()
    assert (payment.amount, payment.provider, payment.provider_reference) == (
        Decimal("105.00"),
        "sandbox",
        "txn-1",
    )
    assert Invoice.objects.get(pk=bill.invoice_id).status == "paid"


def test_partial_payments_and_the_same_ref_id_twice(bill):
    assert notify(notification(bill, amount="5.00", ref_id="a")).json()["balance"] == "100.00"
    again = notify(notification(bill, amount="5.00", ref_id="a"))
    assert (again.status_code, again.json()["message"]) == (200, "Payment already recorded.")
    assert notify(notification(bill, amount="100.00", ref_id="b")).json()["paid"] is True
    assert Payment.objects.count() == 2


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: {**p, "signature": "0" * 64},
        lambda p: {**p, "amount": "1.00"},
        lambda p: {key: value for key, value in p.items() if key != "signature"},
        lambda p: {**p, "signature": p["signature"].upper()},
    ],
)
def test_a_bad_or_missing_signature_is_401_and_records_nothing(bill, tamper):
    response = notify(tamper(notification(bill)))
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid signature."
    assert not Payment.objects.exists()


@pytest.mark.parametrize("signature", ["é" * 64, "\udae6\udd04"])
def test_a_signature_that_is_not_ascii_is_401(bill, signature):
    payload = {**notification(bill), "signature": signature}
    body = json.dumps(payload)  # lone surrogates travel as \u escapes
    response = APIClient().post(
        "/api/payments/callback/sandbox", body, content_type="application/json"
    )
    assert response.status_code == 401
    assert not Payment.objects.exists()


def test_a_lone_surrogate_in_a_notification_is_a_400_and_records_nothing(bill):
    payload = {**notification(bill), "signature": "\udae6"}
    body = json.dumps(payload)  # a lone surrogate travels as a \u escape: not text
    response = APIClient().post(
        "/api/payments/callback/sandbox", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "surrogate" in response.json()["message"]
    assert not Payment.objects.exists()


def test_a_signature_with_another_collections_secret_is_401(bill):
    payload = {
        "bill_no": bill.bill_no,
        "amount": "105.00",
        "currency": "MYR",
        "ref_id": "x",
        "paid": True,
        "status": "paid",
    }
    payload["signature"] = notification_signature(payload, "not-the-secret")
    assert notify(payload).status_code == 401


@pytest.mark.parametrize(
    "changes,status",
    [
        ({"amount": "105.01"}, 400),
        ({"amount": "-1"}, 400),
        ({"amount": "abc"}, 400),
        ({"currency": "USD"}, 400),
        ({"ref_id": ""}, 400),
        ({"bill_no": "nope"}, 404),
        ({"bill_no": "other case"}, 404),
    ],
)
def test_bad_notifications_record_nothing(bill, changes, status):
    if changes.get("bill_no") == "other case":
        changes = {"bill_no": bill.bill_no.swapcase()}
    assert notify(notification(bill, **changes)).status_code == status
    assert not Payment.objects.exists()


def test_a_failed_payment_is_acknowledged_but_not_recorded(bill):
    response = notify(notification(bill, paid=False, status="failed"))
    assert (response.status_code, response.json()["message"]) == (200, "Nothing to record.")
    assert not Payment.objects.exists()


def test_an_unknown_provider_is_404_in_the_faces_shape(bill):
    response = notify(notification(bill), provider="Sandbox!")
    assert response.status_code == 404
    assert response.json() == {"message": "Unknown payment provider.", "errors": {}}
    assert not Payment.objects.exists()


@pytest.mark.parametrize("body", ["[]", '"x"', "{", ""])
def test_malformed_callbacks_are_4xx(body):
    response = APIClient().post(
        "/api/payments/callback/sandbox", body, content_type="application/json"
    )
    assert 400 <= response.status_code < 500


@pytest.mark.skipif(connection.vendor != "mysql", reason="row locks are MariaDB's")
@pytest.mark.django_db(transaction=True)
def test_concurrent_callbacks_never_overpay_on_mariadb():
    bill = make_bill(collection_create(code="demo", title="Demo"))
    clients = 20
    barrier = threading.Barrier(clients)

    def one(index):
        # 20 notifications of 10.00, five of them the same delivery twice
        payload = notification(bill, amount="10.00", ref_id=f"t{index % 15}")
        barrier.wait()
        try:
            return notify(payload).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=clients) as pool:
        statuses = list(pool.map(one, range(clients)))
    invoice = Invoice.objects.get(pk=bill.invoice_id)
    amounts = list(Payment.objects.filter(invoice=invoice).values_list("amount", flat=True))
    assert sum(amounts) == invoice.amount_paid <= invoice.total
    assert len(amounts) == 10  # 105.00 takes ten payments of 10.00, not eleven
    assert all(status in (200, 400, 409) for status in statuses)


def test_the_bill_page(client, bill):
    response = client.get(f"/bills/{bill.bill_no}")
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        bill.bill_no,
        "RAUDHAH PAY",
        "product 1",
        "product 2",
        "105.00",
        "Open",
        f"/payment/gateway/secure-pay?bill_no={bill.bill_no}",
        response.context["pdf_url"],
    ):
        assert text in page, text
    assert response.context["pdf_url"].startswith("/billing/bills/")
    pdf = client.get(response.context["pdf_url"])
    assert pdf["Content-Type"] == "application/pdf"


def test_unknown_bill_pages_are_404(client):
    assert client.get("/bills/nope").status_code == 404
    assert client.get("/bills/nope/pay").status_code == 404
    assert b"Bill not found" in client.get("/bills/nope").content


def test_paying_from_the_payment_page_with_the_sandbox(bill):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    page = browser.get(f"/bills/{bill.bill_no}/pay")
    assert b"Pay 105.00 MYR with the sandbox" in page.content
    token = page.cookies["csrftoken"].value
    paid = browser.post(f"/bills/{bill.bill_no}/pay", {"csrfmiddlewaretoken": token})
    assert paid.status_code == 302
    assert paid["Location"] == f"/billing/bills/bill-payment?code={bill.bill_no}"
    payment = Payment.objects.get()
    assert (payment.provider, payment.amount) == ("sandbox", Decimal("105.00"))
    assert payment.provider_reference.startswith("sandbox-")
    assert b"This bill is paid" in browser.get(f"/bills/{bill.bill_no}").content
    assert b"already paid" in browser.get(f"/bills/{bill.bill_no}/pay").content
    assert (
        browser.post(f"/bills/{bill.bill_no}/pay", {"csrfmiddlewaretoken": token}).status_code
        == 409
    )
    assert Payment.objects.count() == 1


def test_the_payment_page_refuses_without_csrf(bill):
    from django.test import Client

    assert Client(enforce_csrf_checks=True).post(f"/bills/{bill.bill_no}/pay").status_code == 403
    assert not Payment.objects.exists()


def test_a_cancelled_bill_says_so(client, bill):
    Invoice.objects.filter(pk=bill.invoice_id).update(status="void")
    assert b"has been cancelled" in client.get(f"/bills/{bill.bill_no}").content
    assert b"cannot be paid" in client.get(f"/bills/{bill.bill_no}/pay").content


def test_sandbox_off_in_production_settings(client, bill, settings):
    settings.SANDBOX_PAYMENTS = False
    page = client.get(f"/bills/{bill.bill_no}/pay").content
    assert b'id="pay"' not in page
    assert b"Your payment provider completes this payment" in page
    assert client.post(f"/bills/{bill.bill_no}/pay").status_code == 409


def test_a_notification_replayed_under_another_provider_name_records_nothing_more(bill):
    payload = notification(bill, amount="30.00", ref_id="once")
    assert notify(payload, provider="sandbox").json()["message"] == "Payment recorded."
    for provider in ("myprovider", "other1", "other2"):
        response = notify(payload, provider=provider)
        assert (response.status_code, response.json()["message"]) == (
            200,
            "Payment already recorded.",
        )
    assert Payment.objects.count() == 1
    assert Invoice.objects.get(pk=bill.invoice_id).amount_paid == Decimal("30.00")
