"""Writes of credit notes and of the customer's credit. Each is one transaction
that locks the invoice first (``invoices.transitions.locked``), as payments do;
using credit then locks the customer's row, so the lock order is always
invoice, then customer, then the credit-note sequence."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing_site.errors import BillingError, ConflictError
from billing_site.money import MoneyError, check_total, format_amount, quantize
from invoices.models import Customer, Invoice
from invoices.services import LineInput, _next_number, line_amounts
from invoices.transitions import locked, transition

from .events import credit_applied_event, credit_note_event
from .models import CreditNote, CreditNoteLine, CustomerCreditEntry

Mode = CreditNote.Mode


class OverCreditError(BillingError):
    """More credit than the invoice (or its balance) allows: a 400, like overpaying."""


def _not_creditable(invoice: Invoice) -> ConflictError:
    return ConflictError(
        f"Invoice {invoice.number} is {invoice.status}: only an issued (open or paid) "
        "invoice can be credited."
    )


def _lines_and_totals(
    invoice: Invoice, lines: list[LineInput] | None, amount: Decimal | None, reason: str
) -> tuple[list[CreditNoteLine], Decimal, Decimal]:
    """The note's lines, subtotal and tax. Lines are taxed as invoice lines are;
    a tax-inclusive ``amount`` is one line taxed at the invoice's rate when its
    lines share one, else at the invoice's share of tax in its total, rounded to
    the currency."""
    currency = invoice.currency
    if (lines is None) == (amount is None):
        raise BillingError("A credit note needs either lines or an amount.")
    if lines is None:
        if amount <= 0:
            raise BillingError("A credit note's amount must be greater than zero.")
        rates = set(invoice.lines.values_list("tax_rate", flat=True))
        if len(rates) == 1:
            (rate,) = rates
            subtotal = quantize(amount * 100 / (100 + rate), currency)
            tax = amount - subtotal
        else:
            tax = quantize(amount * invoice.tax / invoice.total, currency) if invoice.total else 0
            subtotal = amount - tax
            rate = (tax * 100 / subtotal).quantize(Decimal("0.0001")) if subtotal else Decimal(0)
        description = reason or f"Credit on invoice {invoice.number}"
        rows = [
            CreditNoteLine(
                description=description[:500],
                quantity=Decimal(1),
                unit_price=subtotal,
                tax_rate=rate,
                subtotal=subtotal,
                tax=tax,
                total=amount,
            )
        ]
    else:
        rows = []
        for position, line in enumerate(lines):
            subtotal, tax, total = line_amounts(line, currency)
            rows.append(
                CreditNoteLine(
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
    subtotal = sum((row.subtotal for row in rows), Decimal(0))
    tax = sum((row.tax for row in rows), Decimal(0))
    try:
        for row in rows:
            check_total(row.total, currency, "A line's total")
        check_total(subtotal + tax, currency, "A credit note's total")
    except MoneyError as exc:
        raise BillingError(str(exc)) from None
    if subtotal + tax <= 0:
        raise BillingError("A credit note's total must be greater than zero.")
    return rows, subtotal, tax


def _credit_invoice(invoice: Invoice, amount: Decimal) -> Invoice:
    """Take ``amount`` off the locked open invoice; at a zero balance it is
    settled: ``open -> paid`` (paid in full, by payments and credit together)."""
    amount_credited = invoice.amount_credited + amount
    if invoice.total - invoice.amount_paid - amount_credited == 0:
        return transition(
            invoice,
            Invoice.Status.OPEN,
            Invoice.Status.PAID,
            held=True,
            amount_credited=amount_credited,
        )
    invoice.amount_credited = amount_credited
    invoice.save(update_fields=["amount_credited", "updated_at"])
    return invoice


@transaction.atomic
def credit_note_issue(
    *,
    invoice_id: int,
    lines: list[LineInput] | None = None,
    amount: Decimal | None = None,
    reason: str = "",
    mode: str | None = None,
    issued_by=None,
    issued_at: datetime.datetime | None = None,
) -> CreditNote:
    """A credit note against an issued invoice, for ``lines`` or a tax-inclusive
    ``amount``. ``reduce_invoice`` (the default while the invoice has a balance)
    takes it off the invoice, up to its balance; ``customer_credit`` (the
    default once nothing is owed) makes it the customer's credit in the
    invoice's currency. All notes of an invoice together never exceed its total."""
    invoice = locked(invoice_id, (Invoice.Status.OPEN, Invoice.Status.PAID), refuse=_not_creditable)
    rows, subtotal, tax = _lines_and_totals(invoice, lines, amount, reason)
    total, currency = subtotal + tax, invoice.currency
    credited_before = sum((note.total for note in invoice.credit_notes.all()), Decimal(0))
    creditable = invoice.total - credited_before
    if total > creditable:
        raise OverCreditError(
            f"A credit of {format_amount(total, currency)} exceeds what invoice {invoice.number} "
            f"can still be credited: {format_amount(creditable, currency)} {currency}."
        )
    mode = mode or (Mode.REDUCE_INVOICE if invoice.balance > 0 else Mode.CUSTOMER_CREDIT)
    if mode == Mode.REDUCE_INVOICE and total > invoice.balance:
        raise OverCreditError(
            f"A credit of {format_amount(total, currency)} exceeds the balance of invoice "
            f"{invoice.number}, {format_amount(invoice.balance, currency)} {currency}; "
            "issue it as customer_credit."
        )
    number = _next_number(
        "credit_note",
        settings.CREDIT_NOTE_NUMBER_FORMAT,
        lambda candidate: CreditNote.objects.filter(number=candidate).exists(),
    )
    note = CreditNote(
        number=number,
        invoice=invoice,
        customer_id=invoice.customer_id,
        currency=currency,
        mode=mode,
        reason=reason,
        subtotal=subtotal,
        tax=tax,
        total=total,
        issued_at=issued_at or timezone.now(),
        issued_by=issued_by,
    )
    # The invoice is the row we hold locked: no need to query it exists.
    note.full_clean(exclude=["invoice", "customer", "issued_by"], validate_constraints=False)
    note.save()
    for row in rows:
        row.credit_note = note
    CreditNoteLine.objects.bulk_create(rows)
    if mode == Mode.REDUCE_INVOICE:
        invoice = _credit_invoice(invoice, total)
    else:
        CustomerCreditEntry.objects.create(
            customer_id=invoice.customer_id, currency=currency, amount=total, credit_note=note
        )
    note.invoice = invoice
    credit_note_event(note, invoice)
    return note


def customer_credit_available(*, customer_id: int, currency: str, lock: bool = False):
    """What is left of each credit note's credit, oldest note first:
    ``[(credit_note_id, amount)]`` with amounts above zero, summed in Python."""
    entries = CustomerCreditEntry.objects.filter(customer_id=customer_id, currency=currency)
    if lock:
        entries = entries.select_for_update()
    left: dict[int, Decimal] = {}
    for note_id, amount in entries.order_by("id").values_list("credit_note_id", "amount"):
        left[note_id] = left.get(note_id, Decimal(0)) + amount
    return [(note_id, amount) for note_id, amount in sorted(left.items()) if amount > 0]


def customer_credit_apply(invoice: Invoice) -> Invoice:
    """Use the customer's credit in the invoice's currency on the invoice just
    issued (locked, open), oldest credit first, up to its balance. Called in the
    issuing transaction (``invoices.transitions.ISSUE_HOOKS``). The customer's
    row is locked and its credit read again under it, so two invoices issued at
    once queue there and never use the same credit twice."""
    if invoice.status != Invoice.Status.OPEN or invoice.balance <= 0:
        return invoice
    credit = CustomerCreditEntry.objects.filter(
        customer_id=invoice.customer_id, currency=invoice.currency
    )
    if not credit.exists():  # most customers never have credit: one query, no lock
        return invoice
    # Customer's row first: it stands for its whole credit, even for rows
    # inserted later; a locking read then sees every committed entry.
    list(Customer.objects.select_for_update().filter(pk=invoice.customer_id).values_list("pk"))
    available = customer_credit_available(
        customer_id=invoice.customer_id, currency=invoice.currency, lock=True
    )
    wanted, used = invoice.balance, []
    for note_id, left in available:
        if wanted == 0:
            break
        take = min(left, wanted)
        used.append((note_id, take))
        wanted -= take
    if not used:
        return invoice
    CustomerCreditEntry.objects.bulk_create(
        CustomerCreditEntry(
            customer_id=invoice.customer_id,
            currency=invoice.currency,
            amount=-take,
            credit_note_id=note_id,
            invoice=invoice,
        )
        for note_id, take in used
    )
    total = sum((take for _, take in used), Decimal(0))
    invoice = _credit_invoice(invoice, total)
    credit_applied_event(invoice, used, total)
    return invoice
