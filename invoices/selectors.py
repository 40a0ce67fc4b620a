"""Reads of invoices and customers."""

from .models import Customer, Invoice, sees_every_customer


def restricted_to_customers(user) -> bool:
    """Whether ``user`` sees only the customers it is linked to (perhaps none)."""
    return not sees_every_customer(user)


def customer_list(*, user, with_credit: bool = False):
    """Customers ``user`` may see; ``with_credit``: with their credit ledger
    (the credits app's reverse relation), which the customer body sums."""
    customers = Customer.objects.visible_to(user).order_by("name", "id")
    return customers.prefetch_related("credit_entries") if with_credit else customers


def customer_get(*, user, pk: int) -> Customer | None:
    return customer_list(user=user).filter(pk=pk).first()


def invoice_list(*, user):
    """Invoices ``user`` may see, with what the invoice body shows: the customer,
    the lines, the payments and the credit notes (the payments and credits apps'
    reverse relations)."""
    return (
        Invoice.objects.visible_to(user)
        .select_related("customer", "frozen_customer")
        .prefetch_related("lines", "payments__refunds", "credit_notes")
        .order_by("-id")
    )


def invoice_get(*, user, pk: int) -> Invoice | None:
    return invoice_list(user=user).filter(pk=pk).first()
