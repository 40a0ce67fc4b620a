"""A bill created through the bills API is a billing record of the gateway's,
which checks and pays it with the orderID and billingNumber it lists."""

import json

import pytest

from billing_site.testing import bearer_client
from bills.services import collection_create
from bills.tests.test_bills_api import DOCUMENT_BILL, PERMS
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import UserFactory

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
