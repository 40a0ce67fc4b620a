import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections

from billing_site.testing import bearer_client
from invoices.models import VIEW_ALL_CUSTOMERS, Invoice
from invoices.tests.factories import InvoiceFactory, UserFactory
from invoices.tests.json_bodies import number, parsed
from invoices.tests.today import pin_today
from payments.models import Payment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def before_the_invoices_are_due(monkeypatch):
    """The factory's invoices fall due on 2026-02-14: these tests read them unpaid, not late."""
    pin_today(monkeypatch, datetime.date(2026, 1, 15))


PERMS = [
    "api.use_invoices",
    "invoices.view_invoice",
    "payments.view_payment",
    "payments.add_payment",
]


@pytest.fixture
def cashier():
    return UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS])


@pytest.fixture
def client(cashier):
    return bearer_client(cashier)


def pay(client, invoice, **body):
    return client.post(f"/api/v1/invoices/{invoice.pk}/payments", body, format="json")


def test_partial_payments_accumulate_until_paid(client, cashier):
    invoice = InvoiceFactory(amount=Decimal("110.00"))
    first = pay(
        client,
        invoice,
        amount="10.00",
        method="card",
        reference="ch_1",
        provider="stripe",
        card={"type": "Visa", "last4": "1234", "exp_month": 12, "exp_year": 2030},
    )
    assert first.status_code == 201, first.json()
    body = parsed(first)
    assert (number(body["amount"]), body["method"], body["reference"], body["provider"]) == (
        "10.00",
        "card",
        "ch_1",
        "stripe",
    )
    assert body["card"] == {"type": "Visa", "last4": "1234", "exp_month": 12, "exp_year": 2030}
    assert body["invoice"]["status"] == "partially_paid"
    assert number(body["invoice"]["balance"]) == "100.00"
    second = parsed(pay(client, invoice, amount=100, method="bank_transfer"))
    assert list(second["invoice"]) == ["id", "number", "status", "total", "amount_paid", "balance"]
    assert (second["invoice"]["id"], second["invoice"]["number"]) == (invoice.pk, invoice.number)
    assert second["invoice"]["status"] == "paid"
    assert [number(second["invoice"][key]) for key in ("total", "amount_paid", "balance")] == [
        "110.00",
        "110.00",
        "0.00",
    ]
    listed = parsed(client.get(f"/api/v1/invoices/{invoice.pk}/payments/"))
    assert [number(row["amount"]) for row in listed] == ["10.00", "100.00"]
    assert Payment.objects.get(provider_reference="ch_1").recorded_by == cashier


def test_the_documents_credit_card_is_the_card_method(client):
    invoice = InvoiceFactory(amount=Decimal("110.00"))
    card = {"type": "Visa", "last4": "1234", "exp_month": 12, "exp_year": 2023}
    response = pay(client, invoice, amount=110.00, method="credit_card", card=card)
    assert response.status_code == 201, response.json()
    assert (response.json()["method"], response.json()["card"]) == ("card", card)
    payment = Payment.objects.get()
    assert (payment.method, payment.card_brand, payment.card_last4) == ("card", "Visa", "1234")
    for method in ("card", "gateway", "bank_transfer", "cash", "manual"):
        other = InvoiceFactory(amount=Decimal("1.00"))
        assert pay(client, other, amount=1, method=method).status_code == 201, method
    assert pay(client, InvoiceFactory(), amount=1, method="debit_card").status_code == 400


def test_overpayment_is_400_and_records_nothing(client):
    invoice = InvoiceFactory(amount=Decimal("10.00"))
    response = pay(client, invoice, amount="10.01", method="cash")
    assert response.status_code == 400
    assert response.json() == {"detail": "Payment of 10.01 exceeds the balance of 10.00 USD."}
    assert not Payment.objects.exists()


def test_a_repeated_provider_reference_is_409(client):
    invoice = InvoiceFactory(amount=Decimal("10.00"))
    assert (
        pay(client, invoice, amount="1", method="card", provider="psp", reference="r1").status_code
        == 201
    )
    response = pay(client, invoice, amount="1", method="card", provider="psp", reference="r1")
    assert response.status_code == 409
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("status", ["draft", "void", "paid"])
def test_only_open_invoices_take_payments(client, status):
    invoice = InvoiceFactory()
    Invoice.objects.filter(pk=invoice.pk).update(status=status)
    response = pay(client, invoice, amount="1", method="cash")
    assert response.status_code == 409
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"method": "cash"}, "amount"),
        ({"amount": "1"}, "method"),
        ({"amount": "0", "method": "cash"}, "amount"),
        ({"amount": "-1", "method": "cash"}, "amount"),
        ({"amount": "1.001", "method": "cash"}, "amount"),
        ({"amount": True, "method": "cash"}, "amount"),
        ({"amount": "1", "method": "bitcoin"}, "method"),
        ({"amount": "1", "method": "card", "card": {"number": "4111111111111111"}}, "card"),
        ({"amount": "1", "method": "card", "card_number": "4111111111111111"}, "card"),
        ({"amount": "1", "method": "card", "card": {"last4": "12345"}}, "card"),
        ({"amount": "1", "method": "card", "card": {"exp_month": 13}}, "card"),
        ({"amount": "1", "method": "card", "card": {"type": "4242424242424242"}}, "card"),
        ({"amount": "1", "method": "cash", "paid_at": "yesterday"}, "paid_at"),
    ],
)
def test_bad_payments_are_400(client, body, field):
    invoice = InvoiceFactory()
    response = client.post(f"/api/v1/invoices/{invoice.pk}/payments", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Payment.objects.exists()
    assert "4111111111111111" not in response.content.decode()


def test_json_float_amounts_are_read_exactly(client):
    invoice = InvoiceFactory(amount=Decimal("0.30"))
    for _ in range(3):
        response = client.post(
            f"/api/v1/invoices/{invoice.pk}/payments",
            '{"amount": 0.1, "method": "cash"}',
            content_type="application/json",
        )
        assert response.status_code == 201
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("paid", Decimal("0.30"))


def test_permissions_and_visibility(api_client):
    invoice = InvoiceFactory()
    assert api_client.post(f"/api/v1/invoices/{invoice.pk}/payments").status_code == 401
    reader = bearer_client(
        UserFactory(
            perms=[
                "api.use_invoices",
                "invoices.view_invoice",
                "payments.view_payment",
                VIEW_ALL_CUSTOMERS,
            ]
        )
    )
    assert reader.get(f"/api/v1/invoices/{invoice.pk}/payments").status_code == 200
    assert pay(reader, invoice, amount="1", method="cash").status_code == 403
    linked = UserFactory(perms=PERMS)
    InvoiceFactory().customer.users.add(linked)
    assert pay(bearer_client(linked), invoice, amount="1", method="cash").status_code == 404
    assert bearer_client(linked).get("/api/v1/invoices/999999/payments").status_code == 404
    outsider = bearer_client(UserFactory(perms=[*PERMS[1:], VIEW_ALL_CUSTOMERS]))
    assert outsider.get(f"/api/v1/invoices/{invoice.pk}/payments").status_code == 403
    assert pay(outsider, invoice, amount="1", method="cash").json() == {
        "detail": "You do not have permission to use this API."
    }
    assert not Payment.objects.exists()


@pytest.mark.skipif(connection.vendor != "mysql", reason="row locks are MariaDB's")
@pytest.mark.django_db(transaction=True)
def test_concurrent_partial_payments_never_overshoot_on_mariadb(cashier):
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    clients = 25
    barrier = threading.Barrier(clients)

    def one(_):
        barrier.wait()
        try:
            return pay(bearer_client(cashier), invoice, amount="10.00", method="cash").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=clients) as pool:
        statuses = sorted(pool.map(one, range(clients)))
    # Ten fit the total; after that the invoice is paid (409) or the balance short (400).
    assert statuses.count(201) == 10
    assert all(code in (400, 409) for code in statuses if code != 201)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("paid", Decimal("100.00"))
    assert sum(Payment.objects.filter(invoice=invoice).values_list("amount", flat=True)) == 100
