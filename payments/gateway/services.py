"""The gateway's write: a billing record paid off through the payment services."""

from django.db import transaction

from invoices.selectors import restricted_to_customers
from payments import services
from payments.models import Payment

from .selectors import billing_record_by_reference, locked_billing_record, record_row


def billing_record_settle(*, user, order_id: str, number: str) -> dict | None:
    """The row of the billing record with this reference pair once its invoice is
    paid off, recorded as ``user``'s gateway payment; None when ``user`` may see
    no such record. A user who sees every customer finds the record and locks its
    invoice with one read; another finds it among its customers' first. A record
    that cannot be paid raises ``ConflictError``."""
    payment = dict(method=Payment.Method.GATEWAY, provider="gateway", recorded_by=user)
    # Part of the caller's transaction where there is one (the gateway's view
    # answers within it): no savepoint, which costs round trips. A refusal then
    # ends that transaction, which can only roll back.
    with transaction.atomic(savepoint=False):
        if restricted_to_customers(user):
            row = billing_record_by_reference(user=user, order_id=order_id, number=number)
            if row is None:
                return None
            invoice = services.payable_invoice_locked(row["pk"])
        else:
            invoice = locked_billing_record(order_id=order_id, number=number)
            if invoice is None:
                return None
            row = record_row(invoice)
        settled = services.held_invoice_settle(invoice, **payment)
    row.update(
        total=settled.total,
        amount_paid=settled.amount_paid,
        amount_credited=settled.amount_credited,
        status=settled.status,
    )
    return row
