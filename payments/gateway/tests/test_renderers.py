"""The streamed ``/getAllBilling`` writer is a renderer of ``BillingRecordSerializer``:
for every invoice, each field it writes (key, place, JSON type and value) is the
declared record's."""

import json
from decimal import Decimal

import pytest
from rest_framework.renderers import JSONRenderer

from invoices.models import Invoice
from invoices.tests.factories import CustomerFactory, InvoiceFactory
from payments.gateway import selectors
from payments.gateway.renderers import billing_records_json
from payments.gateway.selectors import billing_record_batches, billing_record_by_reference
from payments.gateway.serializers import LISTED, BillingRecordSerializer, billing_record

from .shapes import typed_keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger():
    """Invoices whose records take every form a field can: references as numbers
    and as strings, amounts paid in full, in part and not at all, currencies of
    0, 2 and 3 places, text that JSON must escape."""
    shared = CustomerFactory(name="Ahmed Rahman", account_number="73737373")
    paid = InvoiceFactory(customer=shared, amount=Decimal("10"))
    Invoice.objects.filter(pk=paid.pk).update(status="paid", amount_paid=paid.total)
    partly = InvoiceFactory(customer=shared, amount=Decimal("99.99"), currency="IQD")
    Invoice.objects.filter(pk=partly.pk).update(amount_paid=Decimal("0.009"))
    InvoiceFactory(
        number="007",
        order_id='Quote "q" \\ é ✓',
        description="Ünïcode\nline \u2028 and \x01",
        customer=CustomerFactory(name='Zoë "Z"', account_number="0042"),
        amount=Decimal("1234567890123.45"),
    )
    InvoiceFactory(order_id="18446744073709551617", amount=Decimal("0.5"), currency="KWD")
    InvoiceFactory(order_id="", number="INV-77", amount=Decimal("1500"), currency="JPY")
    InvoiceFactory(amount=Decimal("0"), customer=CustomerFactory(account_number="ACC 9"))
    InvoiceFactory(customer=shared, amount=Decimal("0.01"), description="")
    return Invoice.objects.order_by("pk")


def declared_records(user, invoices) -> list[dict]:
    """What ``BillingRecordSerializer`` gives for each invoice, as clients parse it."""
    return [
        json.loads(
            JSONRenderer().render(
                billing_record(
                    billing_record_by_reference(
                        user=user, order_id=invoice.order_id, number=invoice.number
                    ),
                    LISTED,
                )
            )
        )
        for invoice in invoices
    ]


@pytest.mark.parametrize("batch_size", [10000, 2])
def test_every_streamed_field_is_the_declared_records(gateway_user, ledger, batch_size):
    streamed = json.loads(
        "".join(
            billing_records_json(
                billing_record_batches(user=gateway_user, batch_size=batch_size), LISTED
            )
        )
    )
    declared = declared_records(gateway_user, ledger)
    assert len(streamed) == len(declared) == 7
    fields = list(BillingRecordSerializer().fields)
    for written, record in zip(streamed, declared, strict=True):
        assert typed_keys(written) == typed_keys(record)
        assert [key for key, _ in typed_keys(written)] == fields
        assert written == record
    assert [record["paymentAmount"] for record in streamed[:2]] == ["10.00", "99.981"]


def test_the_stream_holds_when_customers_are_let_go(gateway_user, ledger, monkeypatch):
    monkeypatch.setattr(selectors, "KNOWN_CUSTOMERS_BOUND", 1)
    streamed = json.loads(
        "".join(
            billing_records_json(billing_record_batches(user=gateway_user, batch_size=2), LISTED)
        )
    )
    assert streamed == declared_records(gateway_user, ledger)


def test_texts_encoded_once_are_looked_up_by_their_own_value(gateway_user):
    """A description that is another text's JSON ('"USD"') is encoded itself,
    not taken for the text it spells; credits alone leave the rest to pay."""
    InvoiceFactory(description="USD", currency="USD")
    InvoiceFactory(description='"USD"', currency="USD")
    credited = InvoiceFactory(description='"\\"USD\\""', amount=Decimal("20"))
    Invoice.objects.filter(pk=credited.pk).update(amount_credited=Decimal("5.5"))
    streamed = json.loads(
        "".join(
            billing_records_json(billing_record_batches(user=gateway_user, batch_size=2), LISTED)
        )
    )
    assert streamed == declared_records(gateway_user, Invoice.objects.order_by("pk"))
    assert [record["description"] for record in streamed] == ["USD", '"USD"', '"\\"USD\\""']
    assert streamed[2]["paymentAmount"] == "14.50"
