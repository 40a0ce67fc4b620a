"""Issuing credit notes and using the customer's credit, through the services."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from billing_site.errors import BillingError, ConflictError
from credits.models import CreditNote, CustomerCreditEntry
from credits.selectors import customer_credit_balances
from credits.services import OverCreditError, credit_note_issue
from events.models import Event
from invoices.models import Invoice
from invoices.services import LineInput, invoice_create, invoice_issue, invoice_void
from invoices.tests.factories import CustomerFactory, InvoiceFactory
from payments.services import invoice_settle, payment_record

pytestmark = pytest.mark.django_db

D = Decimal


def _taxed_invoice(customer=None, currency="USD", **kwargs):
    """110.00: 100.00 at 10% tax."""
    return invoice_create(
        customer=customer or CustomerFactory(),
        currency=currency,
        lines=[LineInput(description="Service", unit_price=D("50.00"), quantity=D("2"),
                         tax_rate=D("10"))],
        issue_date=datetime.date(2026, 1, 15),
        due_date=datetime.date(2026, 2, 15),
        issue=True,
        **kwargs,
    )  # fmt: skip


def test_lines_are_taxed_as_invoice_lines_exactly():
    invoice = _taxed_invoice()
    note = credit_note_issue(
        invoice_id=invoice.pk,
        lines=[
            LineInput(description="Returned", unit_price=D("3.33"), quantity=D("3"),
                      tax_rate=D("7.5")),
            LineInput(description="Discount", unit_price=D("0.05"), tax_rate=D("10")),
        ],
        reason="Returned goods",
    )  # fmt: skip
    # 9.99 + 0.749 tax -> 0.75; 0.05 + 0.005 -> 0.01 (half up)
    assert (note.subtotal, note.tax, note.total) == (D("10.04"), D("0.76"), D("10.80"))
    assert [(line.subtotal, line.tax, line.total) for line in note.lines.all()] == [
        (D("9.99"), D("0.75"), D("10.74")),
        (D("0.05"), D("0.01"), D("0.06")),
    ]
    invoice.refresh_from_db()
    assert note.mode == "reduce_invoice"
    assert (invoice.amount_credited, invoice.balance) == (D("10.80"), D("99.20"))
    assert invoice.status == "open"


def test_an_amount_carries_the_invoices_share_of_tax():
    invoice = _taxed_invoice()
    note = credit_note_issue(invoice_id=invoice.pk, amount=D("11.00"), reason="Goodwill")
    assert (note.subtotal, note.tax, note.total) == (D("10.00"), D("1.00"), D("11.00"))
    (line,) = note.lines.all()
    assert (line.description, line.unit_price, line.tax_rate) == ("Goodwill", D("10"), D("10"))


def test_an_amount_is_taxed_at_the_invoices_one_rate(settings):
    # 14.24 EUR at 5.5%: 2.00 of it is 1.90 and 0.10 of tax, at the invoice's 5.5%.
    invoice = invoice_create(
        customer=CustomerFactory(),
        currency="EUR",
        lines=[LineInput("Crème brûlée", unit_price=D("4.50"), quantity=D("3"), tax_rate=D("5.5"))],
        issue=True,
    )
    note = credit_note_issue(invoice_id=invoice.pk, amount=D("2.00"))
    (line,) = note.lines.all()
    assert (note.subtotal, note.tax, note.total, line.tax_rate) == (
        D("1.90"),
        D("0.10"),
        D("2.00"),
        D("5.5"),
    )


def test_an_amount_on_an_invoice_of_several_rates_takes_its_share_of_tax():
    invoice = invoice_create(
        customer=CustomerFactory(),
        currency="USD",
        lines=[
            LineInput("Books", unit_price=D("100.00")),
            LineInput("Hosting", unit_price=D("100.00"), tax_rate=D("20")),
        ],
        issue=True,
    )  # 220.00, of which 20.00 tax: a tenth of 22.00 is 2.00
    note = credit_note_issue(invoice_id=invoice.pk, amount=D("22.00"))
    assert (note.subtotal, note.tax, note.total) == (D("20.00"), D("2.00"), D("22.00"))


def test_numbers_come_from_their_own_sequence(settings):
    invoice = _taxed_invoice()
    numbers = [credit_note_issue(invoice_id=invoice.pk, amount=D("1.00")).number for _ in range(3)]
    assert numbers == ["CN-000001", "CN-000002", "CN-000003"]
    # A refused note takes no number: the sequence stays gap-free.
    with pytest.raises(OverCreditError):
        credit_note_issue(invoice_id=invoice.pk, amount=D("1000.00"))
    assert credit_note_issue(invoice_id=invoice.pk, amount=D("1.00")).number == "CN-000004"


def test_reduce_invoice_settles_the_invoice_at_a_zero_balance():
    invoice = _taxed_invoice()
    payment_record(invoice_id=invoice.pk, amount=D("10.00"), method="cash")
    note = credit_note_issue(invoice_id=invoice.pk, amount=D("100.00"))
    invoice.refresh_from_db()
    assert note.mode == "reduce_invoice"
    assert (invoice.status, invoice.balance, invoice.amount_paid) == ("paid", 0, D("10.00"))
    assert invoice.paid_at is not None
    types = list(Event.objects.order_by("created_at", "pk").values_list("type", flat=True))
    assert types[-2:] == ["invoice.paid", "credit_note.issued"]


def test_a_payment_that_pays_off_what_credit_left_settles_the_invoice():
    invoice = _taxed_invoice()
    credit_note_issue(invoice_id=invoice.pk, amount=D("10.00"))
    with pytest.raises(BillingError, match="exceeds the balance"):
        payment_record(invoice_id=invoice.pk, amount=D("110.00"), method="cash")
    payment = payment_record(invoice_id=invoice.pk, amount=D("100.00"), method="cash")
    assert (payment.invoice.status, payment.invoice.balance) == ("paid", 0)


def test_settling_pays_only_what_credit_left():
    invoice = _taxed_invoice()
    credit_note_issue(invoice_id=invoice.pk, amount=D("10.00"))
    invoice = invoice_settle(invoice_id=invoice.pk, method="cash")
    assert (invoice.status, invoice.amount_paid, invoice.amount_credited) == (
        "paid",
        D("100.00"),
        D("10.00"),
    )


def test_never_more_than_the_total_less_earlier_notes():
    invoice = _taxed_invoice()
    invoice_settle(invoice_id=invoice.pk, method="cash")
    credit_note_issue(invoice_id=invoice.pk, amount=D("100.00"))  # paid: customer credit
    with pytest.raises(OverCreditError, match=r"can still be credited: 10\.00 USD"):
        credit_note_issue(invoice_id=invoice.pk, amount=D("10.01"))
    assert credit_note_issue(invoice_id=invoice.pk, amount=D("10.00")).total == D("10.00")
    with pytest.raises(OverCreditError):
        credit_note_issue(invoice_id=invoice.pk, amount=D("0.01"))


def test_reduce_invoice_never_more_than_the_balance():
    invoice = _taxed_invoice()
    payment_record(invoice_id=invoice.pk, amount=D("100.00"), method="cash")
    with pytest.raises(OverCreditError, match="exceeds the balance"):
        credit_note_issue(invoice_id=invoice.pk, amount=D("10.01"), mode="reduce_invoice")
    note = credit_note_issue(invoice_id=invoice.pk, amount=D("20.00"), mode="customer_credit")
    assert note.mode == "customer_credit"
    invoice.refresh_from_db()
    assert (invoice.amount_credited, invoice.balance) == (0, D("10.00"))


@pytest.mark.parametrize("status", ["draft", "void"])
def test_only_issued_invoices_are_credited(status):
    invoice = InvoiceFactory(issue=False)
    if status == "void":
        invoice_void(invoice=invoice)
    with pytest.raises(ConflictError, match="only an issued"):
        credit_note_issue(invoice_id=invoice.pk, amount=D("1.00"))
    assert not CreditNote.objects.exists()


def test_a_credited_invoice_is_not_voided():
    invoice = _taxed_invoice()
    credit_note_issue(invoice_id=invoice.pk, amount=D("1.00"))
    with pytest.raises(ConflictError, match=r"has credit of 1\.00"):
        invoice_void(invoice=invoice)


def test_customer_credit_goes_to_the_next_invoices_oldest_first():
    customer = CustomerFactory()
    paid = [_taxed_invoice(customer) for _ in range(2)]
    for invoice in paid:
        invoice_settle(invoice_id=invoice.pk, method="cash")
    older = credit_note_issue(invoice_id=paid[0].pk, amount=D("30.00"))
    newer = credit_note_issue(invoice_id=paid[1].pk, amount=D("50.00"))
    assert (older.mode, newer.mode) == ("customer_credit", "customer_credit")
    assert customer_credit_balances(customer_id=customer.pk) == {"USD": D("80.00")}

    # Another currency's invoice uses none of it.
    euros = _taxed_invoice(customer, currency="EUR")
    assert euros.amount_credited == 0

    first = InvoiceFactory(customer=customer, amount=D("40.00"))
    assert (first.status, first.amount_credited, first.balance) == ("paid", D("40.00"), 0)
    used = CustomerCreditEntry.objects.filter(invoice=first).order_by("id")
    assert [(entry.credit_note_id, entry.amount) for entry in used] == [
        (older.pk, D("-30.00")),
        (newer.pk, D("-10.00")),
    ]
    second = InvoiceFactory(customer=customer, amount=D("100.00"))
    assert (second.status, second.amount_credited, second.balance) == (
        "open",
        D("40.00"),
        D("60.00"),
    )
    assert customer_credit_balances(customer_id=customer.pk) == {}
    event = Event.objects.filter(type="customer.credit_applied").order_by("created_at").last()
    assert event.data["amount"] == "40.00"
    assert event.data["credit_notes"] == [
        {"id": newer.pk, "number": newer.number, "amount": "40.00"}
    ]
    assert event.data["invoice"]["balance"] == "60.00"
    # Nothing left: the next invoice is owed in full.
    third = InvoiceFactory(customer=customer, amount=D("5.00"))
    assert third.amount_credited == 0


def test_a_draft_uses_no_credit_until_it_is_issued():
    customer = CustomerFactory()
    paid = _taxed_invoice(customer)
    invoice_settle(invoice_id=paid.pk, method="cash")
    credit_note_issue(invoice_id=paid.pk, amount=D("5.00"))
    draft = InvoiceFactory(customer=customer, issue=False)
    assert draft.amount_credited == 0
    issued = invoice_issue(invoice=draft)
    assert (issued.amount_credited, issued.balance) == (D("5.00"), D("95.00"))


def test_issued_event_carries_amounts_with_the_currencys_places():
    invoice = invoice_create(
        customer=CustomerFactory(), currency="IQD", amount=D("50000"), issue=True
    )
    note = credit_note_issue(invoice_id=invoice.pk, amount=D("1500"), reason="Outage")
    event = Event.objects.get(type="credit_note.issued")
    assert event.customer_id == invoice.customer_id
    data = event.data
    assert (data["id"], data["number"], data["invoice_number"]) == (
        note.pk,
        note.number,
        invoice.number,
    )
    assert (data["total"], data["tax"], data["subtotal"]) == ("1500.000", "0.000", "1500.000")
    assert data["invoice"]["balance"] == "48500.000"
    assert data["invoice"]["amount_credited"] == "1500.000"


def test_the_database_refuses_paid_and_credited_beyond_the_total():
    invoice = _taxed_invoice()
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(
            amount_paid=D("100.00"), amount_credited=D("10.01")
        )


def test_the_invoice_pdf_shows_what_was_credited(client):
    from invoices.receipts import invoice_pdf_path
    from invoices.tests.pdf_text import pdf_text

    invoice = _taxed_invoice()
    credit_note_issue(invoice_id=invoice.pk, amount=D("10.00"))
    text = pdf_text(client.get(invoice_pdf_path(invoice)))
    assert "Credited 10.00" in text and "100.00" in text


def test_the_receipt_counts_the_credit_as_settled(client):
    from invoices.receipts import receipt_path
    from invoices.tests.pdf_text import pdf_text

    invoice = _taxed_invoice()
    credit_note_issue(invoice_id=invoice.pk, amount=D("10.00"))
    payment_record(invoice_id=invoice.pk, amount=D("100.00"), method="cash")
    text = pdf_text(client.get(receipt_path(invoice)))
    assert "Credited 10.00" in text and "Remaining due (USD) 0.00" in text and "PAID" in text
