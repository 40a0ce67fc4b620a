"""A bill created through the bills API is a billing record of the gateway's,
which checks and pays it with the orderID and billingNumber it lists."""

import json

import pytest

from billing_site.testing import bearer_client
from bills.services import collection_create
from bills.tests.test_bills_api import DOCUMENT_BILL, PERMS
from events.models import Event
from invoices.models import VIEW_ALL_CUSTOMERS, Invoice
from invoices.tests.factories import InvoiceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_bill_made_through_the_api_is_paid_through_the_gateway():
    collection_create(code="demo", title="Demo")
    bills = bearer_client(UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS]))
    created = bills.post("/api/collections/demo/bills", DOCUMENT_BILL, format="json").json()
    gateway = bearer_client(UserFactory(is_staff=True, is_superuser=True))
    listed = json.loads(b"".join(gateway.get("/getAllBilling").streaming_content))
    (record,) = [row for row in listed if row["paymentAmount"] == "105.00"]
    assert record["orderID"] not in ("", None) and record["paymentStatus"] == "unpaid"
    keys = {"orderID": record["orderID"], "billingNumber": record["billingNumber"]}
    checked = gateway.post("/checkPaymentStatus", keys, format="json")
    assert (checked.status_code, checked.json()["paymentStatus"]) == (200, "unpaid")
    paid = gateway.post("/updatePaymentStatus", keys, format="json")
    assert (paid.status_code, paid.json()["paymentStatus"]) == (200, "paid")
    bill = bills.get(f"/api/collections/demo/bills/{created['bill_no']}").json()
    assert (bill["paid"], bill["status"], bill["total_paid"], bill["balance"]) == (
        True,
        4,
        "105.00",
        "0.00",
    )


def test_the_gateway_pays_a_bill_with_its_bill_paid_and_an_invoice_that_is_none_without():
    """The gateway's locked read says whether the invoice is a bill's: a bill's
    is paid with its ``bill.paid``, an invoice that is no bill's derives none."""
    collection_create(code="demo", title="Demo")
    bills = bearer_client(UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS]))
    created = bills.post("/api/collections/demo/bills", DOCUMENT_BILL, format="json").json()
    bill_invoice = Invoice.objects.get(bill__bill_no=created["bill_no"])
    plain = InvoiceFactory()
    gateway = bearer_client(UserFactory(is_staff=True, is_superuser=True))
    before = set(Event.objects.values_list("pk", flat=True))
    for invoice in (bill_invoice, plain):
        keys = {"orderID": invoice.order_id, "billingNumber": invoice.number}
        assert gateway.post("/updatePaymentStatus", keys, format="json").status_code == 200
    written = [event for event in Event.objects.all() if event.pk not in before]
    assert [event.type for event in written] == [
        "payment.succeeded",
        "invoice.paid",
        "bill.paid",
        "payment.succeeded",
        "invoice.paid",
    ]
    paid = written[2].data
    assert (paid["bill_no"], paid["status"], paid["paid_amount"]) == (
        created["bill_no"],
        "paid",
        "105.00",
    )
