"""The credit note as a PDF, in the invoice's layout and fonts: the seller, the
customer as billed on the credited invoice, the invoice's number, the lines
with their tax, the totals, how the credit is used and why."""

from reportlab.platypus import Flowable

from billing_site.documents import formatting
from billing_site.documents.layout import (
    Column,
    Document,
    Total,
    header,
    headline,
    items,
    note,
    parties,
    totals,
)
from billing_site.documents.seller import seller_from_settings
from invoices.documents.parts import customer_lines, order_facts

from .models import CreditNote

USES = {
    CreditNote.Mode.REDUCE_INVOICE: "Deducted from the balance of invoice {number}.",
    CreditNote.Mode.CUSTOMER_CREDIT: (
        "Credited to your account in {currency}; applied to your next invoices."
    ),
}


def _lines(credit_note: CreditNote) -> Flowable:
    currency = credit_note.currency
    columns = [
        Column("Description", 0.41),
        Column("Quantity", 0.14, numeric=True),
        Column("Unit price", 0.16, numeric=True),
        Column("Tax", 0.10, numeric=True),
        Column(f"Amount ({currency})", 0.19, numeric=True),
    ]
    rows = [
        [
            line.description,
            formatting.quantity(line.quantity),
            formatting.amount(line.unit_price, currency),
            formatting.percent(line.tax_rate),
            formatting.amount(line.subtotal, currency),
        ]
        for line in credit_note.lines.all()
    ]
    return items(columns, rows)


def credit_note_page(credit_note: CreditNote, seller) -> list[Flowable]:
    invoice, currency = credit_note.invoice, credit_note.currency
    facts = [
        ("Credit note number", credit_note.number),
        ("Date", formatting.date_time(credit_note.issued_at)),
        ("Credited invoice", invoice.number),
        *order_facts(invoice),
    ]
    money = formatting.money(credit_note.total, currency)
    amount = formatting.amount
    page = [
        header(seller, "Credit note", credit_note.number),
        parties("Credit to", customer_lines(invoice), facts),
        *headline(f"{money} credited on invoice {invoice.number}"),
        _lines(credit_note),
        totals(
            [
                Total("Subtotal", amount(credit_note.subtotal, currency)),
                Total("Tax", amount(credit_note.tax, currency)),
                Total(
                    f"Total credit ({currency})", amount(credit_note.total, currency), strong=True
                ),
            ]
        ),
        note(
            "Use of the credit",
            USES[credit_note.mode].format(number=invoice.number, currency=currency),
        ),
    ]
    if credit_note.reason:
        page.append(note("Reason", credit_note.reason))
    return page


def credit_note_document(credit_note: CreditNote) -> Document:
    seller = seller_from_settings()
    return Document(
        title=f"Credit note {credit_note.number}",
        seller=seller,
        pages=[credit_note_page(credit_note, seller)],
    )
