import datetime
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from audit.models import RequestLog
from billing_site.testing import bearer_client
from events.models import Event
from invoices import receipts
from invoices.models import VIEW_ALL_CUSTOMERS, Invoice
from invoices.tests.factories import InvoiceFactory, UserFactory
from invoices.tests.json_bodies import number, parsed
from invoices.tests.pdf_text import pdf_pages
from invoices.tests.today import pin_today
from payments.dashboard import ledger_figures
from payments.models import Payment, Refund
from payments.services import payment_record, payment_refund

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def before_the_invoices_are_due(monkeypatch):
    """The factory's invoices fall due on 2026-02-14: refunded, not late."""
    pin_today(monkeypatch, datetime.date(2026, 1, 15))


PERMS = [
    "api.use_invoices",
    "invoices.view_invoice",
    "payments.view_payment",
    "payments.view_refund",
    "payments.add_refund",
]


@pytest.fixture
def refunder():
    return UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS])


@pytest.fixture
def client(refunder):
    return bearer_client(refunder)


def paid(amount="100.00", **payment):
    """An invoice of ``amount`` paid in full by one payment; the payment."""
    invoice = InvoiceFactory(amount=Decimal(amount))
    payment.setdefault("method", "card")
    return payment_record(invoice_id=invoice.pk, amount=Decimal(amount), **payment)


def refund(client, payment, key=None, **body):
    key = key or uuid.uuid4().hex
    return client.post(
        f"/api/v1/payments/{payment.pk}/refunds",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def invoice_of(payment) -> Invoice:
    return Invoice.objects.get(pk=payment.invoice_id)


def test_a_partial_then_a_full_refund(client, refunder):
    payment = paid()
    response = refund(client, payment, amount="30.00", reason="Damaged item")
    assert response.status_code == 201, response.json()
    body = parsed(response)
    assert list(body) == [
        "id",
        "payment_id",
        "date",
        "amount",
        "currency",
        "reason",
        "provider",
        "reference",
        "provider_status",
        "payment",
        "invoice",
    ]
    assert (number(body["amount"]), body["currency"], body["reason"]) == (
        "30.00",
        "USD",
        "Damaged item",
    )
    assert (body["provider"], body["reference"], body["provider_status"]) == ("", None, "")
    assert [
        number(body["payment"][key]) for key in ("amount", "amount_refunded", "refundable")
    ] == [
        "100.00",
        "30.00",
        "70.00",
    ]
    assert body["invoice"]["status"] == "partially_refunded"
    assert [number(body["invoice"][key]) for key in ("amount_paid", "balance")] == [
        "70.00",
        "30.00",
    ]
    invoice = invoice_of(payment)
    assert (invoice.status, invoice.amount_paid, invoice.amount_refunded) == (
        "open",
        Decimal("70.00"),
        Decimal("30.00"),
    )
    assert invoice.paid_at is None and invoice.issued_at is not None

    rest = parsed(refund(client, payment, amount="70.00", reason="Order cancelled"))
    assert rest["invoice"]["status"] == "refunded"
    assert number(rest["invoice"]["amount_paid"]) == "0.00"
    assert number(rest["invoice"]["balance"]) == "100.00"
    payment.refresh_from_db()
    assert (payment.amount, payment.amount_refunded) == (Decimal("100.00"), Decimal("100.00"))
    assert Refund.objects.filter(payment=payment).count() == 2
    assert Refund.objects.first().created_by == refunder

    listed = parsed(client.get(f"/api/v1/payments/{payment.pk}/refunds/"))
    assert [number(row["amount"]) for row in listed] == ["30.00", "70.00"]


def test_the_invoice_shows_its_refunds(client):
    payment = paid()
    refund(client, payment, amount="25.00", reason="Goodwill")
    body = parsed(client.get(f"/api/v1/invoices/{payment.invoice_id}"))
    assert body["status"] == "partially_refunded"
    assert [number(body[key]) for key in ("amount_paid", "amount_refunded", "balance")] == [
        "75.00",
        "25.00",
        "25.00",
    ]
    (shown,) = body["payments"]
    assert (number(shown["amount"]), number(shown["amount_refunded"])) == ("100.00", "25.00")
    assert [(number(row["amount"]), row["reason"]) for row in shown["refunds"]] == [
        ("25.00", "Goodwill")
    ]
    for status, found in [
        ("partially_refunded", True),
        ("refunded", False),
        ("open", False),
        ("partially_paid", False),
        ("unpaid", True),
    ]:
        rows = parsed(client.get("/api/v1/invoices/", {"status": status}))
        assert (payment.invoice_id in [row["id"] for row in rows]) is found, status


def test_a_refunded_invoice_paid_again_is_paid(client):
    payment = paid()
    refund(client, payment, amount="100.00", reason="Card charged twice")
    again = payment_record(invoice_id=payment.invoice_id, amount=Decimal("100.00"), method="cash")
    assert again.invoice.status == "paid"
    body = parsed(client.get(f"/api/v1/invoices/{payment.invoice_id}"))
    assert (body["status"], number(body["amount_paid"]), number(body["amount_refunded"])) == (
        "paid",
        "100.00",
        "100.00",
    )


def test_a_fully_refunded_invoice_may_be_voided(client):
    """Refund everything, then void: the sale is undone and nothing is owed."""
    payment = paid()
    refund(client, payment, amount="100.00", reason="Order cancelled")
    voider = bearer_client(UserFactory(is_staff=True, is_superuser=True))
    assert voider.delete(f"/api/v1/invoices/{payment.invoice_id}").status_code in (200, 204)
    invoice = invoice_of(payment)
    assert (invoice.status, invoice.amount_paid, invoice.amount_refunded) == (
        "void",
        Decimal("0.00"),
        Decimal("100.00"),
    )
    assert refund(client, payment, amount="1.00", reason="x").status_code == 409


def test_refunding_part_of_an_open_invoice_keeps_it_open(client):
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    payment = payment_record(invoice_id=invoice.pk, amount=Decimal("40.00"), method="cash")
    body = parsed(refund(client, payment, amount="40.00", reason="Wrong customer"))
    assert body["invoice"]["status"] == "refunded"
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid, invoice.balance) == (
        "open",
        Decimal("0.00"),
        Decimal("100.00"),
    )


def test_a_refunded_invoice_past_its_due_date_shows_overdue(client, monkeypatch):
    late = paid()
    on_time = paid()
    for payment in (late, on_time):
        assert refund(client, payment, amount="30.00", reason="Damaged").status_code == 201
    Invoice.objects.filter(pk=late.invoice_id).update(due_date=datetime.date(2026, 1, 10))

    def listed(status):
        response = client.get(f"/api/v1/invoices/?status={status}")
        assert response.status_code == 200
        return {row["id"]: row["status"] for row in parsed(response)}

    assert listed("overdue") == {late.invoice_id: "overdue"}  # late, refunded or not
    assert listed("partially_refunded") == {on_time.invoice_id: "partially_refunded"}
    assert listed("partially_paid") == {}
    assert set(listed("unpaid")) == {late.invoice_id, on_time.invoice_id}


def test_over_refund_is_400_and_changes_nothing(client):
    payment = paid()
    assert refund(client, payment, amount="60.00", reason="a").status_code == 201
    response = refund(client, payment, amount="40.01", reason="b")
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Refund of 40.01 exceeds the 40.00 USD left to refund of payment {payment.pk}."
    }
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("60.00")
    assert invoice_of(payment).amount_paid == Decimal("40.00")
    assert Refund.objects.count() == 1


def test_a_retry_with_the_same_key_is_the_same_answer(client):
    payment = paid()
    first = refund(client, payment, key="refund-1", amount="10.00", reason="Late delivery")
    again = refund(client, payment, key="refund-1", amount="10.00", reason="Late delivery")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    other = refund(client, payment, key="refund-1", amount="11.00", reason="Late delivery")
    assert other.status_code == 422
    assert Refund.objects.count() == 1
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("10.00")


def test_the_refunds_key_outlives_the_apis(client, refunder):
    """After the API forgot the key (a day), the refund row still holds it."""
    payment = paid()
    made = payment_refund(
        payment_id=payment.pk,
        amount=Decimal("5.00"),
        reason="x",
        created_by=refunder,
        idempotency_key="k",
    )
    same = payment_refund(
        payment_id=payment.pk,
        amount=Decimal("5.00"),
        reason="x",
        created_by=refunder,
        idempotency_key="k",
    )
    assert same.pk == made.pk
    assert refund(client, payment, key="k", amount="6.00", reason="x").status_code == 422
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("5.00")


def test_a_refund_needs_an_idempotency_key(client):
    payment = paid()
    response = client.post(
        f"/api/v1/payments/{payment.pk}/refunds", {"amount": "1", "reason": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not Refund.objects.exists()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"reason": "x"}, "amount"),
        ({"amount": "1"}, "reason"),
        ({"amount": "1", "reason": ""}, "reason"),
        ({"amount": "1", "reason": 5}, "reason"),
        ({"amount": "1", "reason": "x" * 501}, "reason"),
        ({"amount": "0", "reason": "x"}, "amount"),
        ({"amount": "-1", "reason": "x"}, "amount"),
        ({"amount": "1.001", "reason": "x"}, "amount"),
        ({"amount": True, "reason": "x"}, "amount"),
        ({"amount": "ten", "reason": "x"}, "amount"),
        ({"amount": "1e999", "reason": "x"}, "amount"),
        ({"amount": "1", "reason": "x", "currency": "EUR"}, "currency"),
    ],
)
def test_bad_refunds_are_400(client, body, field):
    payment = paid()
    response = refund(client, payment, **body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Refund.objects.exists()


def test_bad_bodies_and_keys_are_400(client):
    payment = paid()
    url = f"/api/v1/payments/{payment.pk}/refunds"
    for raw in ("[]", '"x"', "{", "null"):
        response = client.post(
            url, raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex
        )
        assert response.status_code == 400, raw
    bad_key = client.post(
        url, {"amount": "1", "reason": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="a b"
    )
    assert bad_key.status_code == 400
    for path in ("abc", "0", "99999999", "\u0661"):
        response = client.post(
            f"/api/v1/payments/{path}/refunds",
            {"amount": "1", "reason": "x"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
        assert response.status_code == 404, path
    assert not Refund.objects.exists()


def test_permissions_and_customer_scoping(api_client):
    payment = paid()
    url = f"/api/v1/payments/{payment.pk}/refunds"
    assert api_client.post(url, {"amount": "1", "reason": "x"}, format="json").status_code == 401
    reader = bearer_client(UserFactory(perms=[*PERMS[:-1], VIEW_ALL_CUSTOMERS]))
    assert reader.get(url).status_code == 200
    assert refund(reader, payment, amount="1", reason="x").status_code == 403
    linked = UserFactory(perms=PERMS)
    InvoiceFactory().customer.users.add(linked)
    assert refund(bearer_client(linked), payment, amount="1", reason="x").status_code == 404
    assert bearer_client(linked).get(url).status_code == 404
    Invoice.objects.get(pk=payment.invoice_id).customer.users.add(linked)
    assert refund(bearer_client(linked), payment, amount="1", reason="x").status_code == 201
    outsider = bearer_client(UserFactory(perms=[*PERMS[1:], VIEW_ALL_CUSTOMERS]))
    assert refund(outsider, payment, amount="1", reason="x").json() == {
        "detail": "You do not have permission to use this API."
    }
    assert Refund.objects.count() == 1


def test_a_voided_invoice_has_nothing_to_refund(client):
    payment = paid()
    Invoice.objects.filter(pk=payment.invoice_id).update(status="void")
    response = refund(client, payment, amount="1", reason="x")
    assert response.status_code == 409
    assert not Refund.objects.exists()


def test_a_sandbox_payment_is_refunded_through_the_sandbox(client):
    payment = paid(method="card", provider="sandbox", provider_reference="sandbox-abc")
    body = parsed(refund(client, payment, key="sb-1", amount="20.00", reason="Returned"))
    assert (body["provider"], body["provider_status"]) == ("sandbox", "succeeded")
    assert body["reference"].startswith("sandbox-refund-")
    made = Refund.objects.get()
    assert (made.provider, made.provider_reference) == ("sandbox", body["reference"])


def test_the_refund_and_the_reopening_are_events_of_its_transaction(client):
    payment = paid()
    before = set(Event.objects.values_list("pk", flat=True))
    refund(client, payment, amount="30.00", reason="Damaged item")
    events = Event.objects.exclude(pk__in=before).order_by("created_at", "pk")
    assert [event.type for event in events] == ["payment.refunded", "invoice.reopened"]
    data = events[0].data
    assert (data["payment_id"], data["amount"], data["reason"]) == (
        payment.pk,
        "30.00",
        "Damaged item",
    )
    assert (data["invoice_status"], data["invoice_amount_paid"], data["invoice_balance"]) == (
        "partially_refunded",
        "70.00",
        "30.00",
    )
    assert events[1].data["status"] == "partially_paid"
    refused = set(Event.objects.values_list("pk", flat=True))
    refund(client, payment, amount="99.00", reason="too much")
    assert set(Event.objects.values_list("pk", flat=True)) == refused


def test_each_refund_request_is_logged(client):
    payment = paid()
    refund(client, payment, amount="3.00", reason="Logged")
    refund(client, payment, amount="300.00", reason="Logged")
    rows = RequestLog.objects.filter(endpoint=f"/api/v1/payments/{payment.pk}/refunds")
    assert sorted(rows.values_list("method", "status_code")) == [("POST", 201), ("POST", 400)]
    assert all(json.loads(row.request_body)["reason"] == "Logged" for row in rows)


def test_the_gateway_sees_a_refunded_record_unpaid(client, gateway_client):
    payment = paid("50000.00")
    invoice = invoice_of(payment)
    reference = {"orderID": invoice.order_id, "billingNumber": invoice.number}
    assert (
        gateway_client.post("/checkPaymentStatus", reference, format="json").json()["paymentStatus"]
        == "paid"
    )
    refund(client, payment, amount="20000.00", reason="Part returned")
    record = gateway_client.post("/checkPaymentStatus", reference, format="json").json()
    assert (record["paymentStatus"], record["paymentAmount"]) == ("unpaid", "20000.00")
    listed = gateway_client.get("/getAllBilling", {"status": "unpaid"})
    rows = json.loads(b"".join(listed.streaming_content))
    assert [(row["paymentStatus"], row["paymentAmount"]) for row in rows] == [
        ("unpaid", "20000.00")
    ]
    settled = gateway_client.post("/updatePaymentStatus", reference, format="json").json()
    assert (settled["paymentStatus"], settled["paymentAmount"]) == ("paid", "50000.00")


def test_the_isp_face_sees_a_refunded_invoice_unpaid():
    payment = paid()
    isp = bearer_client(
        UserFactory(perms=["invoices.view_invoice", "api.use_isp", VIEW_ALL_CUSTOMERS])
    )
    payment_refund(payment_id=payment.pk, amount=Decimal("100.00"), reason="Cancelled")
    (details,) = isp.get(f"/api/v1/get_invoice_details/{payment.invoice_id}").json()
    assert (details["status"], details["balance"]) == ("open", "100.00")
    listed = isp.get("/api/v1/get_all_invoice_ids/2026-01-01/2026-12-31/unpaid")
    ids = json.loads(b"".join(listed.streaming_content))
    assert ids == {str(payment.invoice_id): payment.invoice_id}
    listed = isp.get("/api/v1/get_all_invoice_ids/2026-01-01/2026-12-31/paid")
    assert json.loads(b"".join(listed.streaming_content)) == {}
    payment_record(invoice_id=payment.invoice_id, amount=Decimal("40.00"), method="cash")
    (details,) = isp.get(f"/api/v1/get_invoice_details/{payment.invoice_id}").json()
    assert (details["status"], details["balance"]) == ("partially_paid", "60.00")


def test_the_receipt_shows_the_refunds(client):
    payment = paid(method="card", provider="sandbox", provider_reference="sandbox-xyz")
    refund(client, payment, amount="30.00", reason="Damaged item")
    invoice = invoice_of(payment)
    pages = pdf_pages(client.get(receipts.receipt_path(invoice)))
    assert len(pages) == 2
    assert "PAID" in pages[0] and "Remaining due (USD) 0.00" in pages[0]
    page = pages[1]
    for expected in (
        "Refund",
        "REFUNDED",
        f"Refund number {invoice.number}-R1",
        f"Refund of payment {invoice.number}-1",
        "Reason Damaged item",
        "Refund reference sandbox-refund-",
        "Paid before 100.00",
        "This refund 30.00",
        "Remaining due (USD) 30.00",
    ):
        assert expected in page, (expected, page)


def test_the_admin_shows_refunds_read_only(admin_client, client):
    payment = paid()
    refund(client, payment, amount="12.00", reason="Admin can see me")
    made = Refund.objects.get()
    listed = admin_client.get("/admin/payments/refund/")
    assert listed.status_code == 200 and b"Admin can see me" in listed.content
    page = admin_client.get(f"/admin/payments/refund/{made.pk}/change/")
    assert page.status_code == 200 and b"Admin can see me" in page.content
    assert b'name="_save"' not in page.content
    assert admin_client.get("/admin/payments/refund/add/").status_code == 403
    assert admin_client.post(f"/admin/payments/refund/{made.pk}/delete/").status_code == 403
    on_payment = admin_client.get(f"/admin/payments/payment/{payment.pk}/change/")
    assert b"Admin can see me" in on_payment.content
    on_invoice = admin_client.get(f"/admin/invoices/invoice/{payment.invoice_id}/change/")
    assert b"Partially refunded" in on_invoice.content
    figures = {row.currency: row for row in ledger_figures(today=timezone.localdate())}
    assert (figures["USD"].refunds_count, figures["USD"].refunds_total) == (1, Decimal("12.00"))
    index = admin_client.get("/admin/").content.decode()
    assert "Refunded today" in index and "/admin/payments/refund/?refunded_at__year=" in index


@pytest.mark.skipif(connection.vendor != "mysql", reason="row locks are MariaDB's")
@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_never_exceed_the_payment_on_mariadb(refunder):
    payment = paid("100.00")
    clients = 20
    barrier = threading.Barrier(clients)

    def one(index):
        barrier.wait()
        try:
            return refund(
                bearer_client(refunder), payment, amount="15.00", reason=f"part {index}"
            ).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=clients) as pool:
        statuses = sorted(pool.map(one, range(clients)))
    # Six fit the 100.00 paid; the rest find too little left (400).
    assert statuses.count(201) == 6, statuses
    assert statuses.count(400) == clients - 6, statuses
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("90.00")
    assert sum(Refund.objects.filter(payment=payment).values_list("amount", flat=True)) == 90
    invoice = invoice_of(payment)
    assert (invoice.status, invoice.amount_paid, invoice.amount_refunded) == (
        "open",
        Decimal("10.00"),
        Decimal("90.00"),
    )


@pytest.mark.skipif(connection.vendor != "mysql", reason="row locks are MariaDB's")
@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_and_payments_of_one_invoice_on_mariadb(refunder):
    """Refunds lock the invoice before the payment, as payments do: no deadlock,
    and the invoice's paid amount is always its payments less their refunds."""
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    payment = payment_record(invoice_id=invoice.pk, amount=Decimal("50.00"), method="cash")
    cashier = UserFactory(
        perms=[
            "api.use_invoices",
            "invoices.view_invoice",
            "payments.view_payment",
            "payments.add_payment",
            VIEW_ALL_CUSTOMERS,
        ]
    )
    clients = 20
    barrier = threading.Barrier(clients)

    def one(index):
        barrier.wait()
        try:
            if index % 2:
                return refund(
                    bearer_client(refunder), payment, amount="10.00", reason="r"
                ).status_code
            return (
                bearer_client(cashier)
                .post(
                    f"/api/v1/invoices/{invoice.pk}/payments",
                    {"amount": "10.00", "method": "cash"},
                    format="json",
                )
                .status_code
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=clients) as pool:
        statuses = list(pool.map(one, range(clients)))
    assert all(code in (201, 400, 409) for code in statuses), statuses
    invoice.refresh_from_db()
    payments = list(Payment.objects.filter(invoice=invoice))
    net = sum(p.amount for p in payments) - sum(p.amount_refunded for p in payments)
    assert invoice.amount_paid == net
    assert invoice.amount_refunded == sum(p.amount_refunded for p in payments)
    assert 0 <= invoice.amount_paid <= invoice.total
    refunded = Refund.objects.filter(payment=payment).values_list("amount", flat=True)
    assert sum(refunded) == Payment.objects.get(pk=payment.pk).amount_refunded <= 50
