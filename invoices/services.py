"""Writes to customers and invoices. Every function is one transaction."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing_site.errors import BillingError, ConflictError
from billing_site.money import MoneyError, check_total, quantize

from .models import Customer, Invoice, InvoiceLine, NumberSequence
from .selectors import restricted_to_customers


@dataclass(frozen=True)
class LineInput:
    description: str
    unit_price: Decimal
    quantity: Decimal = Decimal("1")
    tax_rate: Decimal = Decimal("0")


def line_amounts(line: LineInput, currency: str) -> tuple[Decimal, Decimal, Decimal]:
    """(subtotal, tax, total) of one line, each rounded to the currency."""
    subtotal = quantize(line.quantity * line.unit_price, currency)
    tax = quantize(subtotal * line.tax_rate / 100, currency)
    return subtotal, tax, subtotal + tax


def _next_number(name: str, template: str, taken) -> str:
    """The next free number of sequence ``name`` formatted with ``template``; skips
    numbers a client already chose by hand (``taken(number)`` says so)."""
    sequence = NumberSequence.objects.select_for_update().filter(name=name).first()
    if sequence is None:
        try:
            with transaction.atomic():
                sequence = NumberSequence.objects.create(name=name)
        except IntegrityError:  # created meanwhile by a concurrent transaction
            sequence = NumberSequence.objects.select_for_update().get(name=name)
    while True:
        sequence.last_value += 1
        number = template.format(sequence.last_value)
        if not taken(number):
            sequence.save(update_fields=["last_value"])
            return number


@transaction.atomic
def customer_create(*, name: str, account_number: str = "", created_by=None, **fields) -> Customer:
    """A new customer. One created by a user who acts for particular customers
    becomes one of theirs, so they can see it."""
    if not account_number:
        account_number = _next_number(
            "customer",
            settings.ACCOUNT_NUMBER_FORMAT,
            lambda number: Customer.objects.filter(account_number=number).exists(),
        )
    customer = Customer(name=name, account_number=account_number, **fields)
    customer.full_clean()
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:  # the same account number, saved concurrently
        raise ConflictError(f"A customer with account number {account_number} exists.") from None
    if created_by is not None and restricted_to_customers(created_by):
        customer.users.add(created_by)
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, **fields) -> Customer:
    if fields.get("account_number") == "":  # as on create, blank: ours to choose; it has one
        del fields["account_number"]
    for field, value in fields.items():
        setattr(customer, field, value)
    customer.full_clean()
    customer.save()
    return customer


@transaction.atomic
def customer_delete(*, customer: Customer) -> None:
    if customer.invoices.exists():
        raise ConflictError("A customer with invoices cannot be deleted; set it inactive.")
    customer.delete()


def _replace_lines(invoice: Invoice, lines: list[LineInput]) -> None:
    """Give the (saved, locked) invoice these lines and the totals they add up to."""
    rows = []
    for position, line in enumerate(lines):
        subtotal, tax, total = line_amounts(line, invoice.currency)
        rows.append(
            InvoiceLine(
                invoice=invoice,
                position=position,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                subtotal=subtotal,
                tax=tax,
                total=total,
            )
        )
    subtotal = sum((row.subtotal for row in rows), Decimal("0"))
    tax = sum((row.tax for row in rows), Decimal("0"))
    # Every stored total within the currency's maximum: exact in every database.
    try:
        for row in rows:
            check_total(row.total, invoice.currency, "A line's total")
        check_total(subtotal + tax, invoice.currency, "An invoice's total")
    except MoneyError as exc:
        raise BillingError(str(exc)) from None
    invoice.lines.all().delete()
    InvoiceLine.objects.bulk_create(rows)
    invoice.subtotal, invoice.tax, invoice.total = subtotal, tax, subtotal + tax


def _current_lines(invoice: Invoice, currency: str | None = None) -> list[LineInput]:
    """The invoice's lines as inputs; with ``currency``, only if every price fits
    it exactly (a change of currency never rounds an amount away)."""
    lines = [
        LineInput(
            description=line.description,
            unit_price=line.unit_price,
            quantity=line.quantity,
            tax_rate=line.tax_rate,
        )
        for line in invoice.lines.all()
    ]
    if currency and any(quantize(line.unit_price, currency) != line.unit_price for line in lines):
        raise ConflictError(f"The prices have more decimal places than {currency} allows.")
    return lines


def _lines_for(
    lines: list[LineInput] | None, amount: Decimal | None, description: str, currency: str
) -> list[LineInput] | None:
    """The lines an invoice is given: its line items, or for a plain ``amount``
    one untaxed line. With both, the amount must be what the lines add up to."""
    if lines is None:
        if amount is None:
            return None
        return [LineInput(description=description or "Invoice amount", unit_price=amount)]
    if amount is not None:
        total = sum((line_amounts(line, currency)[2] for line in lines), Decimal("0"))
        if total != amount:
            raise BillingError(f"amount {amount} is not the line items' total {total}.")
    return lines


@transaction.atomic
def invoice_create(
    *,
    customer: Customer,
    currency: str,
    lines: list[LineInput] | None = None,
    amount: Decimal | None = None,
    number: str = "",
    order_id: str = "",
    issue_date: datetime.date | None = None,
    due_date: datetime.date | None = None,
    period_from: datetime.date | None = None,
    period_to: datetime.date | None = None,
    description: str = "",
    issue: bool = False,
) -> Invoice:
    """A draft invoice with its lines (or one line for a plain ``amount``) and
    totals; issued at once with ``issue=True``. Without a ``number`` the next one
    of the invoice sequence is given."""
    lines = _lines_for(lines, amount, description, currency)
    if lines is None:
        raise BillingError("An invoice needs an amount or line items.")
    if not number:
        number = _next_number(
            "invoice",
            settings.INVOICE_NUMBER_FORMAT,
            lambda candidate: Invoice.objects.filter(number=candidate).exists(),
        )
    invoice = Invoice(
        customer=customer,
        number=number,
        # Without an external order reference, the billing number is the order
        # id: every record the gateway lists can be checked and paid by its pair.
        order_id=order_id or number,
        currency=currency,
        issue_date=issue_date,
        due_date=due_date,
        period_from=period_from,
        period_to=period_to,
        description=description,
    )
    invoice.full_clean()
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:  # the same number, saved concurrently
        raise ConflictError(f"An invoice numbered {number} exists.") from None
    _replace_lines(invoice, lines)
    invoice.save(update_fields=["subtotal", "tax", "total"])
    if issue:
        invoice = invoice_issue(invoice=invoice)
    return invoice


def _lock(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


def _refuse_unless_draft(invoice: Invoice, action: str) -> None:
    if invoice.status != Invoice.Status.DRAFT:
        raise ConflictError(
            f"Only a draft invoice can be {action}; invoice {invoice.number} is "
            f"{invoice.display_status}."
        )


@transaction.atomic
def invoice_update(
    *,
    invoice: Invoice,
    lines: list[LineInput] | None = None,
    amount: Decimal | None = None,
    **fields,
) -> Invoice:
    """Change a draft: any of its fields, and its lines when ``lines`` or
    ``amount`` is given (a new currency re-rounds the lines it has)."""
    invoice = _lock(invoice)
    _refuse_unless_draft(invoice, "edited")
    if fields.get("number") == "":  # as on create, blank: ours to choose; it has one
        del fields["number"]
    if fields.get("order_id") == "":  # as on create, blank: the billing number
        fields["order_id"] = fields.get("number", invoice.number)
    currency_changed = "currency" in fields and fields["currency"] != invoice.currency
    for field, value in fields.items():
        setattr(invoice, field, value)
    invoice.full_clean()
    lines = _lines_for(lines, amount, invoice.description, invoice.currency)
    if lines is None and currency_changed:
        lines = _current_lines(invoice, invoice.currency)
    if lines is not None:
        _replace_lines(invoice, lines)
    invoice.save()
    return invoice


@transaction.atomic
def invoice_revise(
    *,
    invoice: Invoice,
    changed_by=None,
    lines: list[LineInput] | None = None,
    amount: Decimal | None = None,
    **fields,
) -> Invoice:
    """Change an open invoice nothing has been paid against: its lines (or
    ``amount``), description or due date. Stand-in: applies the change as
    ``invoice_update`` does for a draft, without recording it yet."""
    invoice = _lock(invoice)
    if invoice.status != Invoice.Status.OPEN:
        raise ConflictError(f"Invoice {invoice.number} is {invoice.status} and cannot change.")
    if invoice.amount_paid > 0:
        raise ConflictError(
            f"Invoice {invoice.number} has payments of {invoice.amount_paid} and cannot change."
        )
    for field, value in fields.items():
        setattr(invoice, field, value)
    invoice.full_clean()
    lines = _lines_for(lines, amount, invoice.description, invoice.currency)
    if lines is not None:
        _replace_lines(invoice, lines)
    invoice.save()
    return invoice


@transaction.atomic
def invoice_amend_terms(
    *, invoice: Invoice, due_date: datetime.date | None = None, currency: str | None = None
) -> Invoice:
    """Move the due date of an invoice that is not settled, or change its currency
    (re-rounding its lines) while nothing has been paid."""
    invoice = _lock(invoice)
    if invoice.status not in (Invoice.Status.DRAFT, Invoice.Status.OPEN):
        raise ConflictError(f"Invoice {invoice.number} is {invoice.status} and cannot change.")
    if currency and currency != invoice.currency:
        if invoice.amount_paid > 0:
            raise ConflictError(
                f"Invoice {invoice.number} has payments; its currency cannot change."
            )
        lines = _current_lines(invoice, currency)
        invoice.currency = currency
        _replace_lines(invoice, lines)
    if due_date:
        invoice.due_date = due_date
    invoice.full_clean()
    invoice.save()
    return invoice


@transaction.atomic
def invoice_delete(*, invoice: Invoice) -> None:
    invoice = _lock(invoice)
    _refuse_unless_draft(invoice, "deleted")
    invoice.delete()


@transaction.atomic
def invoice_issue(*, invoice: Invoice) -> Invoice:
    """``draft -> open``: freezes the customer snapshot and the issue date."""
    invoice = _lock(invoice)
    _refuse_unless_draft(invoice, "issued")
    invoice.status = Invoice.Status.OPEN
    invoice.issued_at = timezone.now()
    invoice.issue_date = invoice.issue_date or timezone.localdate()
    invoice.customer_snapshot = invoice.customer.snapshot()
    invoice.save(
        update_fields=["status", "issued_at", "issue_date", "customer_snapshot", "updated_at"]
    )
    return invoice


@transaction.atomic
def invoice_void(*, invoice: Invoice) -> Invoice:
    """``draft|open -> void``, as long as no money has been paid against it."""
    invoice = _lock(invoice)
    if invoice.status not in (Invoice.Status.DRAFT, Invoice.Status.OPEN):
        raise ConflictError(f"Invoice {invoice.number} is {invoice.status} and cannot be voided.")
    if invoice.amount_paid > 0:
        raise ConflictError(
            f"Invoice {invoice.number} has payments of {invoice.amount_paid} and cannot be voided."
        )
    invoice.status = Invoice.Status.VOID
    invoice.voided_at = timezone.now()
    invoice.save(update_fields=["status", "voided_at", "updated_at"])
    return invoice
