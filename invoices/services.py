"""Writes to customers and invoices. Every function is one transaction."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from billing_site.errors import BillingError, ConflictError
from billing_site.money import (
    MoneyError,
    check_total,
    currency_exponent,
    format_amount,
    format_min_places,
    quantize,
)

from .events import invoice_event
from .models import (
    BilledCustomer,
    Customer,
    Invoice,
    InvoiceLine,
    InvoiceRevision,
    NumberSequence,
)
from .selectors import restricted_to_customers
from .transitions import Refusal, locked, transition


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
        # Made by an upsert, which waits for one made meanwhile under an exclusive
        # lock: a plain insert would wait under a shared one (MariaDB), and two
        # such waiters locking the row for update next would deadlock each other.
        # (MariaDB names no conflict target: its only unique key besides the id is name.)
        target = ["name"] if connection.features.supports_update_conflicts_with_target else None
        NumberSequence.objects.bulk_create(
            [NumberSequence(name=name)],
            update_conflicts=True,
            unique_fields=target,
            update_fields=["name"],
        )
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


def invoice_line_inputs(invoice: Invoice, currency: str | None = None) -> list[LineInput]:
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
    invoice_event("invoice.created", invoice)
    if issue:
        invoice = invoice_issue(invoice=invoice)
    return invoice


def _only_drafts(action: str) -> Refusal:
    return lambda invoice: ConflictError(
        f"Only a draft invoice can be {action}; invoice {invoice.number} is "
        f"{invoice.display_status}."
    )


# What a revision of an issued invoice compares (with its lines when they change).
REVISION_FIELDS = (
    "description",
    "due_date",
    "period_from",
    "period_to",
    "currency",
    "subtotal",
    "tax",
    "total",
)
_REVISION_AMOUNTS = ("subtotal", "tax", "total")


def _revision_state(invoice: Invoice, lines: list[LineInput] | None) -> dict:
    state = {field: getattr(invoice, field) for field in REVISION_FIELDS}
    if lines is not None:
        state["lines"] = [
            (line.description, line.quantity, line.unit_price, line.tax_rate) for line in lines
        ]
    return state


def _revision_json(state: dict, fields) -> dict:
    """``fields`` of the state as JSON: amounts as exact decimal strings with at
    least the currency's places, dates in ISO form."""
    places = currency_exponent(state["currency"])
    values = {}
    for field in fields:
        value = state[field]
        if field == "lines":
            value = [
                {
                    "description": description,
                    "quantity": format_min_places(quantity, 0),
                    "unit_price": format_min_places(unit_price, places),
                    "tax_rate": format_min_places(tax_rate, 0),
                }
                for description, quantity, unit_price, tax_rate in value
            ]
        elif field in _REVISION_AMOUNTS:
            value = format_min_places(value, places)
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        values[field] = value
    return values


# What only the ledger's own moves write: the status and its times through
# ``transitions.transition``, amounts from the lines and the payments.
_LEDGER_FIELDS = {
    "status",
    "issued_at",
    "paid_at",
    "voided_at",
    "customer_snapshot",  # a row of its own (``BilledCustomer``), frozen at issue
    "subtotal",
    "tax",
    "total",
    "amount_paid",
    "amount_credited",
}


def _apply_changes(
    invoice: Invoice,
    *,
    fields: dict,
    lines: list[LineInput] | None = None,
    amount: Decimal | None = None,
    changed_by=None,
) -> Invoice:
    """Give the locked invoice ``fields`` and, for ``lines`` or ``amount``, new
    lines (a new currency re-rounds the lines it has), and save it. What changes
    on an issued invoice is recorded as an ``InvoiceRevision``."""
    ledger_fields = sorted(_LEDGER_FIELDS & fields.keys())
    if ledger_fields:
        raise ValueError(f"{', '.join(ledger_fields)}: written by the ledger's moves only.")
    currency_changed = "currency" in fields and fields["currency"] != invoice.currency
    lines_change = lines is not None or amount is not None or currency_changed
    before = None
    if invoice.status != Invoice.Status.DRAFT:  # a draft is free to change unrecorded
        before = _revision_state(invoice, invoice_line_inputs(invoice) if lines_change else None)
    for field, value in fields.items():
        setattr(invoice, field, value)
    invoice.full_clean()
    lines = _lines_for(lines, amount, invoice.description, invoice.currency)
    if lines is None and currency_changed:
        lines = invoice_line_inputs(invoice, invoice.currency)
    if lines is not None:
        _replace_lines(invoice, lines)
    invoice.save()
    if before is not None:
        after = _revision_state(invoice, lines)
        changed = [field for field in after if after[field] != before[field]]
        if changed:
            InvoiceRevision.objects.create(
                invoice=invoice,
                changed_by=changed_by,
                before=_revision_json(before, changed),
                after=_revision_json(after, changed),
            )
    return invoice


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
    invoice = locked(invoice, Invoice.Status.DRAFT, refuse=_only_drafts("edited"))
    if fields.get("number") == "":  # as on create, blank: ours to choose; it has one
        del fields["number"]
    if fields.get("order_id") == "":  # as on create, blank: the billing number
        fields["order_id"] = fields.get("number", invoice.number)
    return _apply_changes(invoice, fields=fields, lines=lines, amount=amount)


# What an issued invoice may change while nothing is paid against it, besides
# its lines; its number, order id, customer and issue date stay as issued.
REVISABLE_FIELDS = ("description", "due_date", "period_from", "period_to", "currency")


def _not_revisable(invoice: Invoice) -> ConflictError:
    return ConflictError(
        f"Only an open invoice without payments can be changed; invoice {invoice.number} "
        f"is {invoice.display_status}."
    )


def _differs(invoice: Invoice, field_name: str, value) -> bool:
    field = Invoice._meta.get_field(field_name)  # FieldDoesNotExist: a caller's mistake
    if field.is_relation:
        return getattr(invoice, field.attname) != getattr(value, "pk", value)
    return getattr(invoice, field_name) != value


@transaction.atomic
def invoice_revise(
    *,
    invoice: Invoice,
    changed_by=None,
    lines: list[LineInput] | None = None,
    amount: Decimal | None = None,
    **fields,
) -> Invoice:
    """Change an open invoice nothing has been paid against: its lines (or one
    line for a plain ``amount``) and ``REVISABLE_FIELDS``. Other fields may come
    with the values they have (a full update repeats them), never new ones.
    Each change is recorded as an ``InvoiceRevision`` by ``changed_by``."""
    invoice = locked(invoice, Invoice.Status.OPEN, refuse=_not_revisable)
    if invoice.amount_paid > 0 or invoice.amount_credited > 0:
        raise _not_revisable(invoice)
    fixed = sorted(
        field
        for field, value in fields.items()
        if field not in REVISABLE_FIELDS and _differs(invoice, field, value)
    )
    if fixed:
        raise ConflictError(
            f"Invoice {invoice.number} is issued: its {', '.join(fixed)} cannot change."
        )
    fields = {field: value for field, value in fields.items() if field in REVISABLE_FIELDS}
    return _apply_changes(invoice, fields=fields, lines=lines, amount=amount, changed_by=changed_by)


@transaction.atomic
def invoice_amend_terms(
    *,
    invoice: Invoice,
    due_date: datetime.date | None = None,
    currency: str | None = None,
    changed_by=None,
) -> Invoice:
    """Move the due date of an invoice that is not settled, or change its currency
    (re-rounding its lines) while nothing has been paid; an issued invoice's
    change is recorded."""
    invoice = locked(
        invoice,
        (Invoice.Status.DRAFT, Invoice.Status.OPEN),
        refuse=lambda invoice: ConflictError(
            f"Invoice {invoice.number} is {invoice.status} and cannot change."
        ),
    )
    fields = {}
    if currency and currency != invoice.currency:
        if invoice.amount_paid > 0 or invoice.amount_credited > 0:
            raise ConflictError(
                f"Invoice {invoice.number} has payments or credit; its currency cannot change."
            )
        fields["currency"] = currency
    if due_date:
        fields["due_date"] = due_date
    return _apply_changes(invoice, fields=fields, changed_by=changed_by)


@transaction.atomic
def invoice_delete_drafts(*, invoice_ids: list[int]) -> int:
    """Delete draft invoices, all or none; how many. An issued invoice is the
    ledger's and is never deleted (it is voided, so its number stays accounted
    for). The rows are locked first: a draft issued meanwhile is refused."""
    invoices = list(Invoice.objects.select_for_update().filter(pk__in=invoice_ids).order_by("pk"))
    issued = [invoice.number for invoice in invoices if invoice.status != Invoice.Status.DRAFT]
    if issued:
        raise ConflictError(
            f"Only a draft invoice can be deleted; void {', '.join(issued)} instead."
        )
    try:
        with transaction.atomic():
            Invoice.objects.filter(pk__in=[invoice.pk for invoice in invoices]).delete()
    except ProtectedError as exc:
        held = ", ".join(sorted(f"{row._meta.verbose_name} {row}" for row in exc.protected_objects))
        raise ConflictError(f"The invoice is held by {held}; void it instead.") from None
    return len(invoices)


def _freeze_for_issue(invoice: Invoice) -> None:
    invoice.issue_date = invoice.issue_date or timezone.localdate()
    # Read back through ``invoice.frozen_customer`` without a query.
    BilledCustomer.objects.create(invoice=invoice, snapshot=invoice.customer.snapshot())


def invoice_issue(*, invoice: Invoice) -> Invoice:
    """``draft -> open``: freezes the customer snapshot and the issue date."""
    return transition(
        invoice,
        Invoice.Status.DRAFT,
        Invoice.Status.OPEN,
        refuse=_only_drafts("issued"),
        before=_freeze_for_issue,
    )


def invoice_void(*, invoice: Invoice, paid_refusal: str = "") -> Invoice:
    """``draft|open -> void``, as long as no money has been paid against it.
    ``paid_refusal`` is the caller's word for refusing a paid or partly paid one
    (a bill is "cancelled")."""

    def refuse(invoice: Invoice) -> ConflictError:
        if paid_refusal and invoice.status == Invoice.Status.PAID:
            return ConflictError(paid_refusal)
        return ConflictError(f"Invoice {invoice.number} is {invoice.status} and cannot be voided.")

    def unpaid(invoice: Invoice) -> None:
        if invoice.amount_paid > 0:
            raise ConflictError(
                paid_refusal
                or f"Invoice {invoice.number} has payments of "
                f"{format_amount(invoice.amount_paid, invoice.currency)} and "
                "cannot be voided."
            )
        if invoice.amount_credited > 0:  # a credit note or applied credit stands on it
            raise ConflictError(
                f"Invoice {invoice.number} has credit of "
                f"{format_amount(invoice.amount_credited, invoice.currency)} and "
                "cannot be voided."
            )

    return transition(
        invoice,
        (Invoice.Status.DRAFT, Invoice.Status.OPEN),
        Invoice.Status.VOID,
        refuse=refuse,
        before=unpaid,
    )
