"""The email itself: a short text (and its HTML twin) saying what the attached
PDF is, from ``DEFAULT_FROM_EMAIL`` to the customer."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from billing_site.documents import formatting
from invoices.receipts import pdf_filename

from .documents import Attachment, invoice_attachment, receipt_attachment
from .models import OutgoingEmail


def attachment_for(email: OutgoingEmail) -> Attachment:
    if email.kind == OutgoingEmail.Kind.RECEIPT:
        return receipt_attachment(email.event.data["id"])
    return invoice_attachment(email.event.data["id"])


def context(attachment: Attachment) -> dict:
    invoice, payment, currency = attachment.invoice, attachment.payment, attachment.invoice.currency
    facts = {
        "customer": invoice.customer.name,
        "title": attachment.heading.title,
        "number": attachment.number,
        "document_number": attachment.heading.number,
        "seller": attachment.heading.seller.name,
        "total": formatting.money(invoice.total, currency),
        "due_date": formatting.date(invoice.due_date) if invoice.due_date else "",
    }
    if payment is not None:
        facts["amount"] = formatting.money(payment.amount, currency)
        facts["paid_at"] = formatting.date_time(payment.paid_at)
    return facts


def reminder_context(email: OutgoingEmail, attachment: Attachment) -> dict:
    """A reminder's days overdue (as its event counted them) and what is owed now."""
    invoice = attachment.invoice
    return {
        "days_overdue": email.event.data["days_overdue"],
        "balance": formatting.money(invoice.balance, invoice.currency),
    }


def email_message(email: OutgoingEmail) -> EmailMultiAlternatives:
    """The message with its PDF, rendered now (the document as it is when sent)."""
    attachment = attachment_for(email)
    values = context(attachment)
    if email.kind == OutgoingEmail.Kind.REMINDER:
        values |= reminder_context(email, attachment)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=render_to_string(f"notifications/{email.kind}.txt", values),
        to=[email.to],
    )
    message.attach_alternative(
        render_to_string(f"notifications/{email.kind}.html", values), "text/html"
    )
    message.attach(
        f"{pdf_filename(attachment.filename)}.pdf", attachment.document.pdf(), "application/pdf"
    )
    return message
