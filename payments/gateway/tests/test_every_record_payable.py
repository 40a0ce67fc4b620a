"""Every record ``/getAllBilling`` lists is checked and paid with the ``orderID``
and ``billingNumber`` it shows: an invoice made without an order reference and
a bill (an invoice the bills face made) take their billing number as order id."""

from decimal import Decimal

import pytest

from billing_site.testing import bearer_client
from bills.models import Bill
from bills.tests.test_bills_api import DOCUMENT_BILL
from invoices.models import Invoice
from invoices.services import invoice_create
from invoices.tests.factories import CustomerFactory, UserFactory
from payments.models import Payment

from .shapes import parsed

pytestmark = pytest.mark.django_db


def listed(client, invoice: Invoice) -> dict:
    (record,) = [
        row
        for row in parsed(client.get("/getAllBilling"))
        if str(row["billingNumber"]) == invoice.number
    ]
    return record


def assert_checked_and_paid_as_listed(client, invoice: Invoice):
    record = listed(client, invoice)
    assert record["orderID"] not in ("", None)
    assert record["paymentStatus"] == "unpaid"
    shown = {"orderID": record["orderID"], "billingNumber": record["billingNumber"]}
    check = client.post("/checkPaymentStatus", shown, format="json")
    assert check.status_code == 200
    assert {**check.json(), "message": record["message"]} == record
    paid = client.post("/updatePaymentStatus", shown, format="json")
    assert paid.status_code == 200
    assert (paid.json()["paymentStatus"], paid.json()["message"]) == (
        "paid",
        "payment is successful",
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("paid", invoice.total)
    assert Payment.objects.get(invoice=invoice).amount == invoice.total
    assert listed(client, invoice)["paymentStatus"] == "paid"


def test_an_invoice_made_without_an_order_id_is_paid_by_its_listed_pair(gateway_client):
    invoice = invoice_create(
        customer=CustomerFactory(), currency="USD", amount=Decimal("25.00"), issue=True
    )
    assert listed(gateway_client, invoice)["orderID"] == invoice.number
    assert_checked_and_paid_as_listed(gateway_client, invoice)


def test_a_bill_made_through_the_bills_api_is_paid_by_its_listed_pair(gateway_client):
    bills = bearer_client(UserFactory(is_staff=True, is_superuser=True))
    made = bills.post("/api/collections/", {"code": "fees", "title": "Fees"}, format="json")
    assert made.status_code == 201
    response = bills.post("/api/collections/fees/bills", DOCUMENT_BILL, format="json")
    assert response.status_code in (200, 201)
    invoice = Bill.objects.get(bill_no=response.json()["bill_no"]).invoice
    assert listed(gateway_client, invoice)["orderID"] == invoice.number
    assert invoice.total == Decimal("105.00")
    assert_checked_and_paid_as_listed(gateway_client, invoice)
