"""Receipts: one page per payment of the invoice, in the order they were paid.
Each says what was paid, when (with the time zone), how (the method, the card's
brand and last four digits), under which reference, and what remained due
after it; PAID when nothing did. A receipt's number is the invoice's (or the
bill's) with the payment's place among them: ``INV-000042-2``."""

from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from billing_site.documents import formatting
from billing_site.documents.layout import (
    PAID,
    Document,
    Total,
    header,
    headline,
    parties,
    text,
)
from billing_site.documents.layout import totals as totals_table

from ..models import Invoice
from .parts import Heading, customer_lines, invoice_heading, order_facts

THANKS = "Thank you for your payment."


def payment_method(payment) -> str:
    return formatting.label(payment.method, payment._meta.get_field("method").choices)


def card(payment) -> str:
    """``Visa •••• 4242``: the brand and last four digits the provider gave."""
    brand = payment.card_brand.title() if payment.card_brand.islower() else payment.card_brand
    last4 = f"\N{BULLET}\N{BULLET}\N{BULLET}\N{BULLET} {payment.card_last4}"
    return " ".join(filter(None, [brand, last4 if payment.card_last4 else ""]))


def _facts(invoice, payment, number: str, heading: Heading) -> list[tuple[str, str]]:
    facts = [("Receipt number", number), *heading.facts, *order_facts(invoice)]
    facts += [
        ("Date paid", formatting.date_time(payment.paid_at)),
        ("Payment method", payment_method(payment)),
    ]
    if payment.card_brand or payment.card_last4:
        facts.append(("Card", card(payment)))
    if payment.provider_reference:
        facts.append(("Payment reference", payment.provider_reference))
    return facts


def _number(heading: Heading, position: int) -> str:
    return f"{heading.number}-{position}"


def receipt_page(
    invoice: Invoice, payment, *, position: int, paid_before: Decimal, heading: Heading
) -> list[Flowable]:
    currency, amount = invoice.currency, formatting.amount
    # Credit stands against the invoice whenever it was given: never due again.
    remaining = invoice.total - invoice.amount_credited - paid_before - payment.amount
    number = _number(heading, position)
    rows = [Total(f"{heading.title} total ({currency})", amount(invoice.total, currency))]
    if invoice.amount_credited:
        rows.append(Total("Credited", amount(invoice.amount_credited, currency)))
    if paid_before:
        rows.append(Total("Paid before", amount(paid_before, currency)))
    rows += [
        Total("This payment", amount(payment.amount, currency)),
        Total(f"Remaining due ({currency})", amount(remaining, currency), strong=True),
    ]
    paid = formatting.money(payment.amount, currency)
    facts = _facts(invoice, payment, number, heading)
    return [
        header(heading.seller, "Receipt", number, PAID if remaining == 0 else None),
        parties("Received from", customer_lines(invoice), facts),
        *headline(f"{paid} paid on {formatting.date_time(payment.paid_at)}"),
        totals_table(rows, width=0.55),
        Spacer(1, 8 * mm),
        text(THANKS, "small"),
    ]


def _numbered(invoice: Invoice):
    """Each payment with its place among the invoice's and what was paid before it."""
    paid_before = Decimal(0)
    for position, payment in enumerate(invoice.payments.all(), start=1):
        yield position, payment, paid_before
        paid_before += payment.amount


def receipt_pages(invoice: Invoice, heading: Heading, payment=None) -> list[list[Flowable]]:
    """A page per payment; only ``payment``'s when given."""
    return [
        receipt_page(invoice, paid, position=position, paid_before=before, heading=heading)
        for position, paid, before in _numbered(invoice)
        if payment is None or paid.pk == payment.pk
    ]


def receipt_number(invoice: Invoice, payment, heading: Heading | None = None) -> str:
    """``INV-000042-2``: the number ``payment``'s receipt page shows."""
    heading = heading or invoice_heading(invoice)
    position = next(place for place, paid, _ in _numbered(invoice) if paid.pk == payment.pk)
    return _number(heading, position)


def receipt_document(invoice: Invoice, heading: Heading | None = None, *, payment=None) -> Document:
    """The receipts of the invoice's payments (at least one) as one PDF; the
    receipt of ``payment`` alone when given."""
    heading = heading or invoice_heading(invoice)
    number = heading.number if payment is None else receipt_number(invoice, payment, heading)
    return Document(
        title=f"Receipt {number}",
        seller=heading.seller,
        pages=receipt_pages(invoice, heading, payment),
    )
