"""The credit events, written in the transaction of the change. Amounts are
strings of their exact digits with the currency's places."""

from decimal import Decimal

from billing_site.money import format_amount
from events.services import event_emit
from invoices.events import invoice_data
from invoices.models import Invoice


def _invoice(invoice: Invoice) -> dict:
    data = invoice_data(invoice)
    data["amount_credited"] = format_amount(invoice.amount_credited, invoice.currency)
    return data


def credit_note_data(note, invoice: Invoice) -> dict:
    currency = note.currency
    return {
        "id": note.pk,
        "number": note.number,
        "customer_id": note.customer_id,
        "invoice_id": invoice.pk,
        "invoice_number": invoice.number,
        "mode": note.mode,
        "reason": note.reason,
        "currency": currency,
        "subtotal": format_amount(note.subtotal, currency),
        "tax": format_amount(note.tax, currency),
        "total": format_amount(note.total, currency),
        "issued_at": note.issued_at,
        "invoice": _invoice(invoice),
    }


def credit_note_event(note, invoice: Invoice):
    """``credit_note.issued``: the note and its invoice after it."""
    return event_emit(
        type="credit_note.issued",
        data=credit_note_data(note, invoice),
        customer_id=note.customer_id,
    )


def credit_applied_event(invoice: Invoice, used: list[tuple[int, Decimal]], total: Decimal):
    """``customer.credit_applied``: the customer's credit used on an invoice
    as it was issued, per credit note it came from."""
    from .models import CreditNote

    numbers = dict(
        CreditNote.objects.filter(pk__in=[pk for pk, _ in used]).values_list("pk", "number")
    )
    currency = invoice.currency
    return event_emit(
        type="customer.credit_applied",
        data={
            "customer_id": invoice.customer_id,
            "invoice_id": invoice.pk,
            "invoice_number": invoice.number,
            "currency": currency,
            "amount": format_amount(total, currency),
            "credit_notes": [
                {"id": pk, "number": numbers[pk], "amount": format_amount(amount, currency)}
                for pk, amount in used
            ],
            "invoice": _invoice(invoice),
        },
        customer_id=invoice.customer_id,
    )
