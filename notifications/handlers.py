"""Which events are emailed: an issued invoice, each payment's receipt and each
reminder of an overdue invoice (with the invoice attached), to a
customer with an email address who has not opted out (``email_documents``).
The handler runs in the relay's transaction: it writes the email's row and
queues its sending for after the commit, never sending itself."""

from django.utils import timezone

from billing_site.background import run_after_commit
from events.models import Event
from invoices.models import Invoice

from .documents import document_heading
from .models import OutgoingEmail
from .tasks import send_email

# Per emailed event type: the email's kind and the key of the invoice's id in its data.
EMAILED = {
    "invoice.issued": (OutgoingEmail.Kind.INVOICE, "id"),
    "payment.succeeded": (OutgoingEmail.Kind.RECEIPT, "invoice_id"),
    "invoice.overdue": (OutgoingEmail.Kind.REMINDER, "id"),
}


def subject(event: Event, invoice: Invoice) -> str:
    if event.type == "payment.succeeded":
        return f"Receipt for your payment of {event.data['amount']} {event.data['currency']}"
    heading = document_heading(invoice)
    if event.type == "invoice.overdue":
        days = event.data["days_overdue"]
        return f"Reminder: {heading.title.lower()} {heading.number} is {days} days overdue"
    return f"{heading.title} {heading.number} from {heading.seller.name}"


def email_documents(event: Event) -> None:
    if event.type not in EMAILED:  # the other events cost no query
        return
    kind, key = EMAILED[event.type]
    # One query: the customer's address and choice, and the bill the invoice may be.
    invoice = (
        Invoice.objects.select_related("customer", "bill__collection")
        .filter(pk=event.data[key])
        .first()
    )
    if invoice is None or not invoice.customer.email or not invoice.customer.email_documents:
        return
    if event.type == "invoice.overdue" and invoice.status != Invoice.Status.OPEN:
        return  # paid or voided since the reminder was due: nothing to remind of
    email, _ = OutgoingEmail.objects.get_or_create(
        event=event,
        kind=kind,
        copy_number=0,  # the event's own email, not a re-send of it
        defaults={
            "to": invoice.customer.email,
            "subject": subject(event, invoice),
            # Due now: if the task queued below is lost, the sweep sends it.
            "next_attempt_at": timezone.now(),
        },
    )
    if email.status == OutgoingEmail.Status.PENDING:
        run_after_commit(send_email, email.pk)
