"""Refund calls of the payment providers this service talks to. Only the
built-in sandbox (the bill pages' pretend provider) has one; a payment through
any other provider (the gateway, a card terminal, cash) is refunded outside
the service, and its refund is recorded here without a call."""

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

from billing_site.errors import ConflictError

from .models import Payment


class ProviderRefund(NamedTuple):
    provider: str
    reference: str
    status: str


class ProviderRefused(ConflictError):
    """The provider would not give the money back: nothing is recorded."""


def sandbox_refund(*, payment: Payment, amount: Decimal, key: str) -> ProviderRefund:
    """The sandbox gives back whatever it is asked, at once. It takes the refund's
    idempotency key as a real provider would, so a call repeated with one key
    gives the same reference."""
    if not payment.provider_reference or amount <= 0 or amount > payment.refundable:
        raise ProviderRefused(f"The sandbox refused to refund {amount} of payment {payment.pk}.")
    reference = uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox-refund:{payment.pk}:{key}").hex
    return ProviderRefund("sandbox", f"sandbox-refund-{reference}", "succeeded")


RefundCall = Callable[..., ProviderRefund]

# A provider's name (``Payment.provider``) and its refund call.
REFUND_CALLS: dict[str, RefundCall] = {"sandbox": sandbox_refund}


def provider_refund(*, payment: Payment, amount: Decimal, key: str) -> ProviderRefund | None:
    """The refund made through the payment's provider, or None when its provider
    has no refund call here (the money is given back outside the service)."""
    call = REFUND_CALLS.get(payment.provider)
    return None if call is None else call(payment=payment, amount=amount, key=key)
