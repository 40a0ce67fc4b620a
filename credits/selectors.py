"""Reads of credit notes and of the customer's credit."""

from decimal import Decimal

from invoices.models import Invoice

from .models import CreditNote, CustomerCreditEntry


def credit_note_list(*, user):
    """Credit notes ``user`` may see (its customers'), with what their body shows."""
    return (
        CreditNote.objects.visible_to(user)
        .select_related("invoice")
        .prefetch_related("lines")
        .order_by("-id")
    )


def credit_note_get(*, user, pk: int) -> CreditNote | None:
    return credit_note_list(user=user).filter(pk=pk).first()


def creditable_invoice(*, user, pk: int) -> Invoice | None:
    """The invoice ``user`` may credit, if it sees it: one query, without what
    its body shows (the service reads it again under its lock)."""
    return Invoice.objects.visible_to(user).filter(pk=pk).first()


def customer_credit_balances(*, customer_id: int) -> dict[str, Decimal]:
    """The customer's unused credit per currency, summed in Python."""
    totals: dict[str, Decimal] = {}
    entries = CustomerCreditEntry.objects.filter(customer_id=customer_id)
    for currency, amount in entries.values_list("currency", "amount"):
        totals[currency] = totals.get(currency, Decimal(0)) + amount
    return {currency: amount for currency, amount in sorted(totals.items()) if amount}
