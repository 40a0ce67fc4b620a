"""The invoice: what is owed. Its lines, the tax per rate, subtotal, tax,
total, what is paid and the balance, the due date and the payment terms, and a
PAID, VOID or DRAFT mark when one applies."""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from reportlab.platypus import Flowable

from billing_site.documents import formatting
from billing_site.documents.layout import (
    Column,
    Document,
    Total,
    beside,
    header,
    headline,
    items,
    link_note,
    note,
    parties,
    totals,
)

from ..models import Invoice
from .parts import (
    Heading,
    customer_lines,
    invoice_heading,
    invoice_mark,
    line_items,
    order_facts,
    status_label,
)


def payment_terms(invoice: Invoice) -> str:
    """``BILLING_PAYMENT_TERMS`` when set, else what the dates say."""
    terms = settings.BILLING_PAYMENT_TERMS
    if terms or not (invoice.issue_date and invoice.due_date):
        return terms
    days = (invoice.due_date - invoice.issue_date).days
    if days <= 0:
        return "Due on receipt"
    return f"Due within {days} day{'s' if days != 1 else ''}"


def _facts(invoice: Invoice, heading: Heading) -> list[tuple[str, str]]:
    facts = list(heading.facts)
    if invoice.issue_date:
        facts.append(("Issue date", formatting.date(invoice.issue_date)))
    if invoice.due_date:
        facts.append(("Due date", formatting.date(invoice.due_date)))
    facts += order_facts(invoice)
    if invoice.period_from or invoice.period_to:
        facts.append(("Period", formatting.period(invoice.period_from, invoice.period_to)))
    facts.append(("Status", status_label(invoice)))
    return facts


def _headline(invoice: Invoice) -> str:
    money = formatting.money
    if invoice.status == Invoice.Status.PAID:
        # Settled by payments and credit together, or by credit alone.
        settled = "settled" if invoice.amount_credited else "paid"
        paid = f"{money(invoice.total, invoice.currency)} {settled}"
        if invoice.paid_at is None:
            return paid
        return f"{paid} on {formatting.date(invoice.paid_at.astimezone(formatting.time_zone()))}"
    if invoice.status == Invoice.Status.VOID:
        return "Void: nothing is due"
    due = f"due {formatting.date(invoice.due_date)}" if invoice.due_date else "due on receipt"
    return f"{money(invoice.balance, invoice.currency)} {due}"


def _lines(invoice: Invoice, heading: Heading):
    quantity = f"Quantity ({heading.quantity_label})" if heading.quantity_label else "Quantity"
    return line_items(invoice.lines.all(), invoice.currency, quantity)


def _tax_summary(invoice: Invoice) -> Flowable | None:
    """Per rate: what it was charged on and the tax; none when nothing is taxed."""
    taxable: dict[Decimal, Decimal] = defaultdict(Decimal)
    tax: dict[Decimal, Decimal] = defaultdict(Decimal)
    for line in invoice.lines.all():
        taxable[line.tax_rate] += line.subtotal
        tax[line.tax_rate] += line.tax
    if not any(tax.values()):
        return None
    currency = invoice.currency
    columns = [
        Column("Tax rate", 0.13),
        Column("Taxable", 0.16, numeric=True),
        Column(f"Tax ({currency})", 0.16, numeric=True),
    ]
    rows = [
        [
            formatting.percent(rate),
            formatting.amount(taxable[rate], currency),
            formatting.amount(tax[rate], currency),
        ]
        for rate in sorted(taxable)
    ]
    return items(columns, rows)


def _totals(invoice: Invoice):
    currency = invoice.currency
    amount = formatting.amount
    rows = [
        Total("Subtotal", amount(invoice.subtotal, currency)),
        Total("Tax", amount(invoice.tax, currency)),
        Total(f"Total ({currency})", amount(invoice.total, currency), strong=True),
    ]
    if invoice.status != Invoice.Status.VOID:  # nothing is due on a void invoice
        rows.append(Total("Paid", amount(invoice.amount_paid, currency)))
        if invoice.amount_credited:  # by credit notes or the customer's credit
            rows.append(Total("Credited", amount(invoice.amount_credited, currency)))
        rows.append(
            Total(f"Balance due ({currency})", amount(invoice.balance, currency), strong=True)
        )
    return totals(rows)


def invoice_page(invoice: Invoice, heading: Heading) -> list[Flowable]:
    page = [
        header(heading.seller, heading.title, heading.number, invoice_mark(invoice)),
        parties("Bill to", customer_lines(invoice), _facts(invoice, heading)),
        *headline(_headline(invoice)),
        _lines(invoice, heading),
        beside(_tax_summary(invoice), _totals(invoice)),
    ]
    if invoice.status not in (Invoice.Status.VOID, Invoice.Status.PAID):
        if terms := payment_terms(invoice):
            page.append(note("Payment terms", terms))
        if heading.pay_url:
            page += [link_note("Pay online", heading.pay_url)]
    # An invoice made from an amount has its description as its one line.
    lines = {line.description for line in invoice.lines.all()}
    if heading.notes and invoice.description and invoice.description not in lines:
        page.append(note("Notes", invoice.description))
    return page


def invoice_document(invoice: Invoice, heading: Heading | None = None) -> Document:
    """The invoice as a PDF document; ``heading`` presents it as another
    document (a bill), by default it is the invoice under its own number."""
    heading = heading or invoice_heading(invoice)
    return Document(
        title=f"{heading.title} {heading.number}",
        seller=heading.seller,
        pages=[invoice_page(invoice, heading)],
    )
