"""The other faces see an invoice's credit: the payment gateway (document 000)
collects what credit left, on every path that writes its record; the ISP face
(document 002) shows the balance after credit in its streamed list too."""

import json
from decimal import Decimal

import pytest

from billing_site.testing import bearer_client
from credits.services import credit_note_issue
from invoices.models import VIEW_ALL_CUSTOMERS, Invoice
from invoices.tests.factories import InvoiceFactory, UserFactory
from payments.gateway.renderers import billing_records_json
from payments.gateway.selectors import billing_record_batches
from payments.gateway.serializers import LISTED
from payments.gateway.tests.test_renderers import declared_records

pytestmark = pytest.mark.django_db


def test_a_credited_record_asks_for_the_rest(gateway_user, gateway_client):
    credited = InvoiceFactory(amount=Decimal("100.00"))
    credit_note_issue(invoice_id=credited.pk, amount=Decimal("30.25"))
    key = {"orderID": credited.order_id, "billingNumber": credited.number}
    checked = gateway_client.post("/checkPaymentStatus", key, format="json").json()
    assert (checked["paymentAmount"], checked["paymentStatus"]) == ("69.75", "unpaid")
    streamed = json.loads(
        "".join(billing_records_json(billing_record_batches(user=gateway_user), LISTED))
    )
    assert streamed == declared_records(gateway_user, [credited])
    assert streamed[0]["paymentAmount"] == "69.75"
    paid = gateway_client.post("/updatePaymentStatus", key, format="json").json()
    assert paid["paymentStatus"] == "paid"
    stored = Invoice.objects.get(pk=credited.pk)
    assert (stored.amount_paid, stored.amount_credited, stored.status) == (
        Decimal("69.75"),
        Decimal("30.25"),
        "paid",
    )


def test_the_isp_lists_show_the_balance_after_credit():
    credited = InvoiceFactory(amount=Decimal("100.00"))
    credit_note_issue(invoice_id=credited.pk, amount=Decimal("40.00"))
    client = bearer_client(
        UserFactory(perms=["invoices.view_invoice", "api.use_isp", VIEW_ALL_CUSTOMERS])
    )
    response = client.get("/api/v1/get_all_invoices/2026-01-01/2026-12-31")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    (row,) = json.loads(content)
    details = client.get(f"/api/v1/get_invoice_details/{credited.pk}").json()
    assert (row[0]["Invoice"]["balance"], row[0]["Invoice"]["total"]) == ("60.00", "100.00")
    assert (details[0]["balance"], details[0]["amount"]) == ("60.00", "100.00")
