"""Demo data for local use: a credit note, so its pages, PDF and the customer's
credit have one to show."""

from decimal import Decimal

from billing_site.money import format_amount
from invoices.models import Invoice

from .models import CreditNote
from .services import credit_note_issue

INVOICE = "FR-0001"  # paid in full by the payments demo


def seed(*, out=print) -> None:
    invoice = Invoice.objects.filter(number=INVOICE).first()
    if invoice is None or CreditNote.objects.filter(invoice=invoice).exists():
        return
    note = credit_note_issue(
        invoice_id=invoice.pk,
        amount=Decimal("2.00"),
        reason="Geste commercial : café offert",
        mode=CreditNote.Mode.CUSTOMER_CREDIT,
    )
    total = format_amount(note.total, note.currency)
    out(f"issued credit note {note.number} ({total} {note.currency}) against {INVOICE}")
