from decimal import Decimal

import pytest
from django.test import Client

from billing_site.testing import bearer_client
from bills.services import collection_create
from bills.tests.test_bills_api import PERMS, make_bill
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import UserFactory
from payments.models import Payment, Refund

pytestmark = pytest.mark.django_db

REFUNDS = [
    "api.use_invoices",
    "invoices.view_invoice",
    "payments.view_payment",
    "payments.view_refund",
    "payments.add_refund",
]


def test_a_bill_paid_with_the_sandbox_is_refunded_through_it():
    bill = make_bill(collection_create(code="demo", title="Demo"))
    browser = Client(enforce_csrf_checks=True)
    token = browser.get(f"/bills/{bill.bill_no}/pay").cookies["csrftoken"].value
    assert browser.post(f"/bills/{bill.bill_no}/pay", {"csrfmiddlewaretoken": token}).status_code
    payment = Payment.objects.get()
    assert payment.provider == "sandbox"

    refunder = bearer_client(UserFactory(perms=[*REFUNDS, VIEW_ALL_CUSTOMERS]))
    response = refunder.post(
        f"/api/v1/payments/{payment.pk}/refunds",
        {"amount": "5.00", "reason": "One item out of stock"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="bill-refund-1",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["provider"], body["provider_status"]) == ("sandbox", "succeeded")
    refund = Refund.objects.get()
    assert refund.provider_reference == body["reference"]

    # The bill is owed again: its pages offer to pay the refunded part, and the
    # bills face (numbered statuses) shows it partially paid.
    assert b"Pay 5.00 MYR with the sandbox" in browser.get(f"/bills/{bill.bill_no}/pay").content
    bills = bearer_client(UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS]))
    shown = bills.get(f"/api/collections/demo/bills/{bill.bill_no}").json()
    assert shown["status"] == 3
    assert (Decimal(shown["total_paid"]), Decimal(shown["balance"])) == (
        Decimal("100.00"),
        Decimal("5.00"),
    )
