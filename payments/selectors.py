"""Reads of payments."""

from invoices.models import visible_customers

from .models import Payment


def payment_get(*, user, pk: int) -> Payment | None:
    """The payment, with its invoice, if ``user`` may see its invoice."""
    payments = Payment.objects.select_related("invoice")
    if not user.is_staff:
        payments = payments.filter(visible_customers(user, "invoice__customer_id"))
    return payments.filter(pk=pk).first()
