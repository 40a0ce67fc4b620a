"""The PDF an email carries: the invoice when it is issued, the receipt of one
payment when it is made; a bill's invoice under its bill heading, as the bill's
pages show it."""

from dataclasses import dataclass

from billing_site.documents.layout import Document
from bills.documents import bill_heading
from invoices.documents.invoice import invoice_document
from invoices.documents.parts import Heading, invoice_heading
from invoices.documents.receipt import receipt_document, receipt_number
from invoices.models import Invoice
from payments.models import Payment


def document_heading(invoice: Invoice) -> Heading:
    """Needs ``bill__collection`` selected with the invoice (a query otherwise)."""
    bill = getattr(invoice, "bill", None)
    return bill_heading(bill) if bill is not None else invoice_heading(invoice)


def invoice_for_documents(invoice_id: int) -> Invoice:
    return (
        Invoice.objects.select_related("customer", "frozen_customer", "bill__collection")
        .prefetch_related("lines", "payments")
        .get(pk=invoice_id)
    )


@dataclass(frozen=True)
class Attachment:
    document: Document
    heading: Heading
    number: str  # the document's own number (a receipt's is the invoice's and its place)
    filename: str  # without ``.pdf``
    invoice: Invoice
    payment: Payment | None = None


def invoice_attachment(invoice_id: int) -> Attachment:
    invoice = invoice_for_documents(invoice_id)
    heading = document_heading(invoice)
    return Attachment(
        document=invoice_document(invoice, heading),
        heading=heading,
        number=heading.number,
        filename=f"{heading.title.lower()}_{heading.number}",
        invoice=invoice,
    )


def receipt_attachment(payment_id: int) -> Attachment:
    payment = Payment.objects.get(pk=payment_id)
    invoice = invoice_for_documents(payment.invoice_id)
    heading = document_heading(invoice)
    number = receipt_number(invoice, payment, heading)
    return Attachment(
        document=receipt_document(invoice, heading, payment=payment),
        heading=heading,
        number=number,
        filename=f"receipt_{number}",
        invoice=invoice,
        payment=payment,
    )
