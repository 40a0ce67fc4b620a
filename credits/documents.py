"""The credit note as a PDF, in the invoice's layout and fonts: the seller, the
customer as billed on the credited invoice, the invoice's number, the lines
with their tax, the totals, how the credit is used and why."""

from reportlab.platypus import Flowable

from billing_site.documents import formatting
from billing_site.documents.layout import (
    Document,
    Total,
    header,
    headline,
    note,
    parties,
    totals,
)
from billing_site.documents.seller import seller_from_settings
from invoices.documents.parts import customer_lines, line_items, order_facts

from .models import CreditNote

USES = {
    CreditNote.Mode.REDUCE_INVOICE: "Deducted from the balance of invoice {number}.",
    CreditNote.Mode.CUSTOMER_CREDIT: (
        "Credited to your account in {currency}; applied to your next invoices."
    ),
}


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
        line_items(credit_note.lines.all(), currency),
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
