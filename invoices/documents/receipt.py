"""Receipts: one page per payment of the invoice, in the order they were paid.
Each says what was paid, when (with the time zone), how (the method, the card's
brand and last four digits), under which reference, and what remained due
after it; PAID when nothing did. A receipt's number is the invoice's (or the
bill's) with the payment's place among them: ``INV-000042-2``. Then one page per
refund, in the order they were made: what was given back of which payment,
when, why, under which reference, and what was due again after it
(``INV-000042-R1``). What was paid before a page is net of the refunds made
before it. Refunds are the payments' reverse relation (``payment.refunds``)."""

from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from billing_site.documents import formatting
from billing_site.documents.layout import (
    PAID,
    RED,
    Document,
    Mark,
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
REFUNDED = "This amount was given back to you from the payment named above."
REFUND_MARK = Mark("REFUNDED", RED)


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


def _refunds(invoice: Invoice) -> list:
    """The refunds of the invoice's payments, in the order they were made."""
    refunds = [refund for payment in invoice.payments.all() for refund in payment.refunds.all()]
    return sorted(refunds, key=lambda refund: (refund.refunded_at, refund.pk))


def _refunded_before(refunds: list, moment) -> Decimal:
    return sum((refund.amount for refund in refunds if refund.refunded_at < moment), Decimal(0))


def _numbered(invoice: Invoice):
    """Each payment with its place among the invoice's and what was paid before
    it, net of the refunds made before it."""
    refunds = _refunds(invoice) if invoice.amount_refunded else []
    paid_before = Decimal(0)
    for position, payment in enumerate(invoice.payments.all(), start=1):
        yield position, payment, paid_before - _refunded_before(refunds, payment.paid_at)
        paid_before += payment.amount


def refund_page(
    invoice: Invoice, refund, *, position: int, paid_before: Decimal, of: str, heading: Heading
) -> list[Flowable]:
    """The page of one refund: ``paid_before`` is what was paid (net) before it,
    ``of`` the receipt number of the payment it gave back."""
    currency, amount = invoice.currency, formatting.amount
    remaining = invoice.total - paid_before + refund.amount
    number = f"{heading.number}-R{position}"
    rows = [
        Total(f"{heading.title} total ({currency})", amount(invoice.total, currency)),
        Total("Paid before", amount(paid_before, currency)),
        Total("This refund", amount(refund.amount, currency)),
        Total(f"Remaining due ({currency})", amount(remaining, currency), strong=True),
    ]
    facts = [("Refund number", number), *heading.facts, *order_facts(invoice)]
    facts += [
        ("Date refunded", formatting.date_time(refund.refunded_at)),
        ("Refund of payment", of),
        ("Reason", refund.reason),
    ]
    if refund.provider_reference:
        facts.append(("Refund reference", refund.provider_reference))
    given = formatting.money(refund.amount, currency)
    return [
        header(heading.seller, "Refund", number, REFUND_MARK),
        parties("Refunded to", customer_lines(invoice), facts),
        *headline(f"{given} refunded on {formatting.date_time(refund.refunded_at)}"),
        totals_table(rows, width=0.55),
        Spacer(1, 8 * mm),
        text(REFUNDED, "small"),
    ]


def refund_pages(invoice: Invoice, heading: Heading) -> list[list[Flowable]]:
    """A page per refund of the invoice's payments, in the order they were made."""
    refunds = _refunds(invoice) if invoice.amount_refunded else []  # no query when none
    if not refunds:
        return []
    numbers = {paid.pk: _number(heading, place) for place, paid, _ in _numbered(invoice)}
    payments = list(invoice.payments.all())
    pages = []
    for position, refund in enumerate(refunds, start=1):
        moment = refund.refunded_at
        paid = sum((p.amount for p in payments if p.paid_at <= moment), Decimal(0))
        before = paid - sum((earlier.amount for earlier in refunds[: position - 1]), Decimal(0))
        pages.append(
            refund_page(
                invoice,
                refund,
                position=position,
                paid_before=before,
                of=numbers[refund.payment_id],
                heading=heading,
            )
        )
    return pages


def receipt_pages(invoice: Invoice, heading: Heading, payment=None) -> list[list[Flowable]]:
    """A page per payment, then one per refund; only ``payment``'s page when given."""
    pages = [
        receipt_page(invoice, paid, position=position, paid_before=before, heading=heading)
        for position, paid, before in _numbered(invoice)
        if payment is None or paid.pk == payment.pk
    ]
    return pages if payment is not None else [*pages, *refund_pages(invoice, heading)]


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
