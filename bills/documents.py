"""A bill's documents: the bill (its invoice under the bill number, from the
collection's organisation) and the receipts of its payments."""

from billing_site.documents.layout import Document
from billing_site.documents.seller import Seller, seller_from_settings
from invoices.documents.invoice import invoice_document
from invoices.documents.parts import Heading
from invoices.documents.receipt import receipt_document

from .models import Bill


def bill_seller(bill: Bill) -> Seller:
    """The collection's organisation, as the bill page names it; the service's
    own seller for a collection that names none."""
    name = bill.collection.organization_name
    return Seller(name=name) if name else seller_from_settings()


def bill_heading(bill: Bill, pay_url: str = "") -> Heading:
    references = " \N{MIDDLE DOT} ".join(filter(None, [bill.ref1, bill.ref2]))
    return Heading(
        title="Bill",
        number=bill.bill_no,
        facts=tuple(
            (name, value)
            for name, value in [
                ("Bill number", bill.bill_no),
                ("Collection", bill.collection.title),
                ("Reference", references),
            ]
            if value
        ),
        seller=bill_seller(bill),
        quantity_label=bill.quantity_label,
        pay_url=pay_url,
        notes=False,  # the invoice's description is the bill's first reference
    )


def bill_document(bill: Bill, pay_url: str = "") -> Document:
    return invoice_document(bill.invoice, bill_heading(bill, pay_url))


def bill_receipt_document(bill: Bill) -> Document:
    return receipt_document(bill.invoice, bill_heading(bill))
