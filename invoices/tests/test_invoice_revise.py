"""An open invoice nothing has been paid against may change; each change is recorded."""

import datetime
import re
from decimal import Decimal

import pytest

from billing_site.errors import ConflictError
from invoices.models import Invoice, InvoiceRevision
from invoices.services import (
    LineInput,
    invoice_amend_terms,
    invoice_revise,
    invoice_update,
    invoice_void,
)
from invoices.tests.factories import CustomerFactory, InvoiceFactory, UserFactory
from invoices.tests.today import pin_today
from payments.services import payment_record

pytestmark = pytest.mark.django_db


def _lines(invoice: Invoice) -> list[tuple]:
    return list(
        invoice.lines.values_list("description", "quantity", "unit_price", "tax_rate", "total")
    )


def test_new_lines_change_the_totals_and_are_recorded_with_who_changed_them():
    invoice = InvoiceFactory(number="R-1")
    clerk = UserFactory()
    revised = invoice_revise(
        invoice=invoice,
        changed_by=clerk,
        lines=[
            LineInput(description="Monthly service", unit_price=Decimal("100.00")),
            LineInput(
                description="Setup",
                quantity=Decimal("2"),
                unit_price=Decimal("12.50"),
                tax_rate=Decimal("10"),
            ),
        ],
    )
    stored = Invoice.objects.get(pk=invoice.pk)
    for row in (revised, stored):
        assert (row.status, row.subtotal, row.tax, row.total, row.amount_paid) == (
            "open",
            Decimal("125.00"),
            Decimal("2.50"),
            Decimal("127.50"),
            0,
        )
    assert _lines(stored) == [
        ("Monthly service", 1, Decimal("100.00"), 0, Decimal("100.00")),
        ("Setup", 2, Decimal("12.50"), 10, Decimal("27.50")),
    ]
    revision = InvoiceRevision.objects.get(invoice=invoice)
    assert revision.changed_by == clerk and revision.changed_at is not None
    assert revision.before == {
        "subtotal": "100.00",
        "tax": "0.00",
        "total": "100.00",
        "lines": [
            {
                "description": "Monthly service",
                "quantity": "1",
                "unit_price": "100.00",
                "tax_rate": "0",
            }
        ],
    }
    assert revision.after == {
        "subtotal": "125.00",
        "tax": "2.50",
        "total": "127.50",
        "lines": [
            {
                "description": "Monthly service",
                "quantity": "1",
                "unit_price": "100.00",
                "tax_rate": "0",
            },
            {"description": "Setup", "quantity": "2", "unit_price": "12.50", "tax_rate": "10"},
        ],
    }


def test_a_plain_amount_description_and_due_date_each_revision_names_what_changed():
    invoice = InvoiceFactory(currency="IQD", amount=Decimal("50000"))
    invoice_revise(invoice=invoice, amount=Decimal("45000.500"), description="Discounted")
    invoice_revise(invoice=invoice, due_date=datetime.date(2026, 3, 1))
    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.total, stored.description, stored.due_date) == (
        Decimal("45000.500"),
        "Discounted",
        datetime.date(2026, 3, 1),
    )
    assert _lines(stored) == [("Discounted", 1, Decimal("45000.500"), 0, Decimal("45000.500"))]
    first, second = InvoiceRevision.objects.filter(invoice=invoice)
    assert first.changed_by is None
    assert first.before == {
        "description": "Monthly service",
        "subtotal": "50000.000",
        "total": "50000.000",
        "lines": [
            {
                "description": "Monthly service",
                "quantity": "1",
                "unit_price": "50000.000",
                "tax_rate": "0",
            }
        ],
    }
    assert first.after["description"] == "Discounted"
    assert first.after["total"] == "45000.500"
    assert (second.before, second.after) == (
        {"due_date": "2026-02-14"},
        {"due_date": "2026-03-01"},
    )


def test_a_new_currency_re_rounds_and_a_change_to_nothing_records_nothing():
    invoice = InvoiceFactory(amount=Decimal("10.50"))
    invoice_revise(invoice=invoice, description="Monthly service", due_date=invoice.due_date)
    assert not InvoiceRevision.objects.exists()
    invoice_revise(invoice=invoice, currency="EUR")
    revision = InvoiceRevision.objects.get()
    assert (revision.before, revision.after) == ({"currency": "USD"}, {"currency": "EUR"})
    with pytest.raises(ConflictError, match="more decimal places than JPY allows"):
        invoice_revise(invoice=invoice, currency="JPY")
    assert Invoice.objects.get(pk=invoice.pk).currency == "EUR"


def test_what_it_was_issued_with_may_be_repeated_but_not_changed():
    invoice = InvoiceFactory()
    invoice_revise(
        invoice=invoice,
        customer=invoice.customer,
        number=invoice.number,
        order_id=invoice.order_id,
        issue_date=invoice.issue_date,
        amount=Decimal("90.00"),
    )
    assert Invoice.objects.get(pk=invoice.pk).total == Decimal("90.00")
    with pytest.raises(ConflictError) as refused:
        invoice_revise(
            invoice=invoice,
            customer=CustomerFactory(),
            number="OTHER",
            issue_date=invoice.issue_date,
            amount=Decimal("80.00"),
        )
    assert refused.value.message == (
        f"Invoice {invoice.number} is issued: its customer, number cannot change."
    )
    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.customer_id, stored.number, stored.total) == (
        invoice.customer_id,
        invoice.number,
        Decimal("90.00"),
    )
    assert InvoiceRevision.objects.count() == 1
    with pytest.raises(ConflictError, match="its status cannot change"):
        invoice_revise(invoice=invoice, status="paid")
    assert Invoice.objects.get(pk=invoice.pk).status == "open"


def test_no_edit_writes_a_status_around_the_helper():
    draft = InvoiceFactory(issue=False)
    with pytest.raises(ValueError, match="amount_paid, status: written by the ledger's moves"):
        invoice_update(invoice=draft, status="paid", amount_paid=draft.total)
    assert Invoice.objects.get(pk=draft.pk).status == "draft"


@pytest.mark.parametrize("state", ["draft", "partially_paid", "paid", "void"])
def test_only_an_open_invoice_without_payments_can_change(state):
    invoice = InvoiceFactory(issue=state != "draft")
    if state == "partially_paid":
        payment_record(invoice_id=invoice.pk, amount=Decimal("1"), method="cash")
    elif state == "paid":
        payment_record(invoice_id=invoice.pk, amount=invoice.total, method="cash")
    elif state == "void":
        invoice_void(invoice=invoice)
    with pytest.raises(ConflictError) as refused:
        invoice_revise(invoice=invoice, amount=Decimal("5.00"), description="Changed")
    assert refused.value.message == (
        f"Only an open invoice without payments can be changed; invoice {invoice.number} "
        f"is {state}."
    )
    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.total, stored.description) == (Decimal("100.00"), "Monthly service")
    assert not InvoiceRevision.objects.exists()


def test_moving_an_issued_invoices_terms_is_recorded_too():
    invoice = InvoiceFactory()
    payment_record(invoice_id=invoice.pk, amount=Decimal("1"), method="cash")
    invoice_amend_terms(invoice=invoice, due_date=datetime.date(2026, 4, 30))
    revision = InvoiceRevision.objects.get(invoice=invoice)
    assert (revision.before, revision.after) == (
        {"due_date": "2026-02-14"},
        {"due_date": "2026-04-30"},
    )
    draft = InvoiceFactory(issue=False)
    invoice_amend_terms(invoice=draft, due_date=datetime.date(2026, 4, 30))
    assert not InvoiceRevision.objects.filter(invoice=draft).exists()


def test_every_face_sees_the_revised_amount(staff_client, monkeypatch):
    pin_today(monkeypatch, datetime.date(2026, 1, 15))  # the factory's invoice is not yet due
    invoice = InvoiceFactory(currency="IQD", amount=Decimal("50000"))
    invoice_revise(invoice=invoice, amount=Decimal("42000"))
    record = staff_client.post(
        "/checkPaymentStatus",
        {"orderID": invoice.order_id, "billingNumber": invoice.number},
        format="json",
    ).json()
    assert record["paymentAmount"] == "42000.00"
    detail = staff_client.get(f"/api/v1/invoices/{invoice.pk}/")
    assert detail.status_code == 200
    assert (detail.json()["total"], detail.json()["status"]) in (
        ("42000.000", "open"),
        (42000.000, "open"),
    )


def test_the_admin_shows_the_revisions_read_only(admin_client, admin_user):
    invoice = InvoiceFactory(number="ADM-R1")
    invoice_revise(invoice=invoice, changed_by=admin_user, description="Corrected text")
    page = admin_client.get(f"/admin/invoices/invoice/{invoice.pk}/change/").content.decode()
    assert "Revisions after issue" in page
    assert "Corrected text" in page and "Monthly service" in page
    assert admin_user.username in page
    # Shown, never editable: no form field, no way to add or delete one.
    assert not re.search(r'name="revisions-\d+-(before|after|changed_at)"', page)
    assert 'name="revisions-0-DELETE"' not in page
    assert 'name="revisions-MAX_NUM_FORMS" value="0"' in page
