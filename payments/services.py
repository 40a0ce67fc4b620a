"""Money movements. Each function is one transaction that locks the invoice row
first (``invoices.transitions``), so concurrent payments queue on the lock and
re-check the balance; the payment that pays an invoice off moves it to paid."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.spool import require_durable
from billing_site.errors import BillingError, ConflictError
from billing_site.money import format_amount
from invoices.models import Invoice
from invoices.transitions import locked, transition

from .events import payment_event
from .models import Payment


class AlreadyPaidError(ConflictError):
    def __init__(self):
        super().__init__("payment is already paid")


class OverpaymentError(BillingError):
    pass


class DuplicatePaymentError(ConflictError):
    def __init__(self, provider: str, reference: str):
        super().__init__(
            f"Payment reference {reference!r} of provider {provider!r} is already recorded."
        )


def _not_payable(invoice: Invoice) -> ConflictError:
    if invoice.status == Invoice.Status.PAID:
        return AlreadyPaidError()
    return ConflictError(f"Invoice {invoice.number} is {invoice.status} and cannot be paid.")


def _lock_payable_invoice(invoice_id: int) -> Invoice:
    return locked(invoice_id, Invoice.Status.OPEN, refuse=_not_payable)


def _pay_off(invoice: Invoice, at=None, **changes) -> Invoice:
    """``open -> paid`` of the invoice this transaction holds locked: nothing is
    left to pay."""
    return transition(
        invoice,
        Invoice.Status.OPEN,
        Invoice.Status.PAID,
        refuse=_not_payable,
        at=at,
        held=True,
        **changes,
    )


def _apply_payment(invoice: Invoice, **payment_fields) -> Payment:
    """Insert the payment and move the (locked) invoice's paid amount, and its
    status when that pays it off; the payment's ``invoice`` is the invoice saved."""
    require_durable()  # the request's log row reaches the disk before its answer
    payment = Payment(invoice=invoice, currency=invoice.currency, **payment_fields)
    payment.paid_at = payment.paid_at or timezone.now()
    # The invoice is the row we hold locked and the user is the caller: no need
    # for full_clean() to query that either exists. The provider reference is
    # checked here, and again by its unique constraint against a concurrent insert.
    payment.full_clean(exclude=["invoice", "recorded_by"], validate_constraints=False)
    duplicate = DuplicatePaymentError(payment.provider, payment.provider_reference)
    if (
        payment.provider_reference
        and Payment.objects.filter(
            provider=payment.provider, provider_reference=payment.provider_reference
        ).exists()
    ):
        raise duplicate
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        raise duplicate from None
    payment_event(payment, invoice)
    amount_paid = invoice.amount_paid + payment.amount
    if amount_paid + invoice.amount_credited == invoice.total:
        payment.invoice = _pay_off(invoice, at=payment.paid_at, amount_paid=amount_paid)
    else:
        invoice.amount_paid = amount_paid
        invoice.save(update_fields=["amount_paid", "updated_at"])
    return payment


@transaction.atomic
def payment_record(
    *,
    invoice_id: int,
    amount: Decimal,
    method: str,
    provider: str = "",
    provider_reference: str | None = None,
    card_brand: str = "",
    card_last4: str = "",
    card_exp_month: int | None = None,
    card_exp_year: int | None = None,
    paid_at: datetime.datetime | None = None,
    recorded_by=None,
) -> Payment:
    """Record a (possibly partial) payment against an open invoice."""
    invoice = _lock_payable_invoice(invoice_id)
    if amount <= 0:
        raise BillingError("A payment amount must be greater than zero.")
    if amount > invoice.balance:
        raise OverpaymentError(
            f"Payment of {amount} exceeds the balance of "
            f"{format_amount(invoice.balance, invoice.currency)} {invoice.currency}."
        )
    return _apply_payment(
        invoice,
        amount=amount,
        method=method,
        provider=provider,
        provider_reference=provider_reference,
        card_brand=card_brand,
        card_last4=card_last4,
        card_exp_month=card_exp_month,
        card_exp_year=card_exp_year,
        paid_at=paid_at,
        recorded_by=recorded_by,
    )


@transaction.atomic
def invoice_settle(
    *, invoice_id: int, method: str, provider: str = "", recorded_by=None
) -> Invoice:
    """Pay an open invoice's whole balance: one payment, and the invoice is paid."""
    invoice = _lock_payable_invoice(invoice_id)
    if invoice.balance == 0:  # nothing is owed, so no money moves
        return _pay_off(invoice)
    payment = _apply_payment(
        invoice,
        amount=invoice.balance,
        method=method,
        provider=provider,
        recorded_by=recorded_by,
    )
    return payment.invoice
