"""Money movements. Each function is one transaction that locks the invoice row
first (``invoices.transitions``), so concurrent payments queue on the lock and
re-check the balance; the payment that pays an invoice off moves it to paid.
A refund locks the invoice, then the payment (always in that order, so that a
refund and a payment of one invoice never deadlock), and gives back at most what
is left of the payment; a refund of a paid invoice reopens it."""

import datetime
import uuid
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.spool import require_durable
from billing_site import compiled_writes
from billing_site.errors import BillingError, ConflictError, NotFoundError
from billing_site.money import MoneyError, format_amount, parse_amount
from events.services import written_together
from invoices.models import Invoice
from invoices.transitions import locked, transition

from .events import payment_event, refund_event
from .models import Payment, Refund
from .providers import provider_refund


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


def payable_invoice_locked(invoice_id: int) -> Invoice:
    """The open invoice, read locked in the caller's transaction for a payment; a
    ``ConflictError`` when it cannot be paid."""
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
    if payment.provider_reference:
        duplicate = DuplicatePaymentError(payment.provider, payment.provider_reference)
        if Payment.objects.filter(
            provider=payment.provider, provider_reference=payment.provider_reference
        ).exists():
            raise duplicate
        try:
            with transaction.atomic():
                compiled_writes.insert([payment])
        except IntegrityError:
            raise duplicate from None
    else:
        # No reference, nothing unique to collide with: no savepoint (two round
        # trips) around the insert.
        compiled_writes.insert([payment])
    # The payment's event and the invoice's (``invoice.paid``, and what derives
    # from it) go in one INSERT.
    with written_together():
        payment_event(payment, invoice)
        amount_paid = invoice.amount_paid + payment.amount
        if amount_paid + invoice.amount_credited == invoice.total:
            payment.invoice = _pay_off(invoice, at=payment.paid_at, amount_paid=amount_paid)
        else:
            invoice.amount_paid = amount_paid
            compiled_writes.update(invoice, ("amount_paid", "updated_at"), deferred=True)
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
    invoice = payable_invoice_locked(invoice_id)
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
    return held_invoice_settle(
        payable_invoice_locked(invoice_id),
        method=method,
        provider=provider,
        recorded_by=recorded_by,
    )


def held_invoice_settle(
    invoice: Invoice, *, method: str, provider: str = "", recorded_by=None
) -> Invoice:
    """``invoice_settle`` of an invoice the caller's transaction has read locked
    (``select_for_update()``, all its columns), in that transaction: the gateway
    finds and locks the record it settles with one read."""
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("A held lock needs a transaction.")
    if invoice.status != Invoice.Status.OPEN:
        raise _not_payable(invoice)
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


class OverRefundError(BillingError):
    pass


class RefundKeyReusedError(BillingError):
    """The Idempotency-Key of an earlier refund, sent with another request."""

    status_code = 422

    def __init__(self):
        super().__init__("This Idempotency-Key was used for a different refund.")


def _not_refundable(invoice: Invoice) -> ConflictError:
    return ConflictError(
        f"Invoice {invoice.number} is {invoice.status}: its payments cannot be refunded."
    )


def _earlier_refund(created_by, key: str | None, *, payment: Payment, amount, reason: str):
    """The refund this user already made under ``key``, if it is this request's
    (a retry after the API forgot the key); another request's key is a 422."""
    if not key or created_by is None:
        return None
    earlier = Refund.objects.filter(created_by=created_by, idempotency_key=key).first()
    if earlier is None:
        return None
    if (earlier.payment_id, earlier.amount, earlier.reason) != (payment.pk, amount, reason):
        raise RefundKeyReusedError()
    earlier.payment = payment
    return earlier


@transaction.atomic
def payment_refund(
    *,
    payment_id: int,
    amount: Decimal,
    reason: str,
    created_by=None,
    idempotency_key: str | None = None,
) -> Refund:
    """Give back ``amount`` of a payment, never more than is left of it: through
    the payment's provider when it has a refund call (the sandbox), else recorded
    as given back outside. The invoice's paid amount falls by the refund (its
    balance rises); a paid invoice is open again. The refund's ``payment`` and
    its ``invoice`` are the rows saved."""
    invoice_id = Payment.objects.filter(pk=payment_id).values_list("invoice_id", flat=True).first()
    if invoice_id is None:
        raise NotFoundError(f"Payment {payment_id} does not exist.")
    # The invoice's lock first, as every payment takes it, then the payment's.
    invoice = locked(invoice_id, (Invoice.Status.OPEN, Invoice.Status.PAID), refuse=_not_refundable)
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    payment.invoice = invoice
    earlier = _earlier_refund(
        created_by, idempotency_key, payment=payment, amount=amount, reason=reason
    )
    if earlier is not None:
        return earlier
    try:
        parse_amount(amount, payment.currency)  # exact in the currency's places
    except MoneyError as exc:
        raise BillingError(str(exc)) from None
    if amount <= 0:
        raise BillingError("A refund amount must be greater than zero.")
    # The invoice's paid amount is the sum of what is left of its payments, so
    # it covers the payment's refundable part; checked all the same.
    refundable = min(payment.refundable, invoice.amount_paid)
    if amount > refundable:
        raise OverRefundError(
            f"Refund of {amount} exceeds the {format_amount(refundable, payment.currency)} "
            f"{payment.currency} left to refund of payment {payment.pk}."
        )
    require_durable()  # the request's log row reaches the disk before its answer
    # Inside the locks: the sandbox answers at once and keeps nothing, so a
    # rollback after it loses nothing. A remote provider's call would go out of
    # the transaction, after a pending refund row held the amount.
    key = idempotency_key or uuid.uuid4().hex
    given_back = provider_refund(payment=payment, amount=amount, key=key)
    refund = Refund(
        payment=payment,
        amount=amount,
        currency=payment.currency,
        reason=reason,
        created_by=created_by,
        idempotency_key=idempotency_key,
    )
    if given_back is not None:
        refund.provider = given_back.provider
        refund.provider_reference = given_back.reference
        refund.provider_status = given_back.status
    refund.full_clean(exclude=["payment", "created_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            refund.save()
    except IntegrityError:  # the same key, another payment's, committed meanwhile
        raise RefundKeyReusedError() from None
    payment.amount_refunded += amount
    payment.save(update_fields=["amount_refunded"])
    changes = {
        "amount_paid": invoice.amount_paid - amount,
        "amount_refunded": invoice.amount_refunded + amount,
    }
    for field, value in changes.items():
        setattr(invoice, field, value)
    refund_event(refund, payment, invoice)  # the invoice as it is after: open
    if invoice.status == Invoice.Status.PAID:
        invoice = transition(
            invoice, Invoice.Status.PAID, Invoice.Status.OPEN, held=True, **changes
        )
    else:
        invoice.save(update_fields=[*changes, "updated_at"])
    payment.invoice = invoice
    return refund
