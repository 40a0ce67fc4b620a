from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from billing_site.errors import ConflictError
from invoices.models import Invoice
from invoices.services import LineInput, invoice_create, invoice_issue
from invoices.tests.factories import CustomerFactory, InvoiceFactory
from payments.services import DuplicatePaymentError, OverpaymentError, payment_record

pytestmark = pytest.mark.django_db


def test_invoice_totals_come_from_its_lines():
    customer = CustomerFactory(name="John Doe", street="123 Main St")
    invoice = invoice_create(
        customer=customer,
        number="A-1",
        currency="USD",
        lines=[
            LineInput(
                description="Product 1",
                quantity=Decimal("2"),
                unit_price=Decimal("50.00"),
                tax_rate=Decimal("10"),
            ),
            LineInput(description="Fee", unit_price=Decimal("0.99")),
        ],
    )
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        Decimal("100.99"),
        Decimal("10.00"),
        Decimal("110.99"),
    )
    assert invoice.status == "draft"
    assert [line.total for line in invoice.lines.all()] == [Decimal("110.00"), Decimal("0.99")]
    issued = invoice_issue(invoice=invoice)
    assert issued.status == "open"
    assert issued.customer_snapshot["name"] == "John Doe"
    assert issued.customer_snapshot["address"]["street"] == "123 Main St"
    with pytest.raises(ConflictError):
        invoice_issue(invoice=issued)


def test_partial_payments_accumulate_and_overpayment_is_refused():
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    payment_record(invoice_id=invoice.pk, amount=Decimal("30.00"), method="cash")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.display_status, invoice.balance) == (
        "open",
        "partially_paid",
        Decimal("70.00"),
    )
    with pytest.raises(OverpaymentError):
        payment_record(invoice_id=invoice.pk, amount=Decimal("70.01"), method="cash")
    payment_record(invoice_id=invoice.pk, amount=Decimal("70.00"), method="cash")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.display_status, invoice.balance) == ("paid", "paid", 0)


def test_a_provider_reference_is_used_once():
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    payment_record(
        invoice_id=invoice.pk,
        amount=Decimal("1"),
        method="card",
        provider="psp",
        provider_reference="ref-1",
    )
    with pytest.raises(DuplicatePaymentError, match="'ref-1' of provider 'psp'"):
        payment_record(
            invoice_id=invoice.pk,
            amount=Decimal("1"),
            method="card",
            provider="psp",
            provider_reference="ref-1",
        )


def test_the_database_refuses_paid_above_total():
    invoice = InvoiceFactory(amount=Decimal("10.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(amount_paid=Decimal("10.01"))
