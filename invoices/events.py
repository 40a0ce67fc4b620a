"""The invoice events and what they carry: the invoice as it is after the
change (no query: the caller holds the row). Amounts are strings of their exact
digits with the currency's places."""

from billing_site.money import format_amount
from events.services import event_emit

from .models import Invoice

# The event of each status an invoice moves into.
STATUS_EVENTS = {
    Invoice.Status.OPEN: "invoice.issued",
    Invoice.Status.PAID: "invoice.paid",
    Invoice.Status.VOID: "invoice.voided",
}
# A paid invoice open again: a refund left something owed on it.
REOPENED = "invoice.reopened"


def invoice_data(invoice: Invoice) -> dict:
    currency = invoice.currency
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "order_id": invoice.order_id,
        "customer_id": invoice.customer_id,
        "status": invoice.display_status,
        "currency": currency,
        "total": format_amount(invoice.total, currency),
        "amount_paid": format_amount(invoice.amount_paid, currency),
        "balance": format_amount(invoice.balance, currency),
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
    }


def invoice_event(event_type: str, invoice: Invoice):
    return event_emit(
        type=event_type,
        data=invoice_data(invoice),
        customer_id=invoice.customer_id,
        subject=invoice,
    )


def invoice_overdue_event(invoice: Invoice, *, days_overdue: int, stage: int):
    """``invoice.overdue``: a reminder of the invoice is due, ``stage`` days after
    its due date (``INVOICE_REMINDER_DAYS``), ``days_overdue`` days past it now."""
    data = invoice_data(invoice) | {
        "status": "overdue",
        "days_overdue": days_overdue,
        "stage": stage,
    }
    return event_emit(type="invoice.overdue", data=data, customer_id=invoice.customer_id)
