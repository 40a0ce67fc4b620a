"""``payment.succeeded``: money received against an invoice, with the event of
the invoice's move (``invoice.paid``) after it when it pays the invoice off.
``payment.refunded``: money given back from a payment, with ``invoice.reopened``
after it when the invoice was paid."""

from billing_site.money import format_amount
from events.services import event_emit
from invoices.models import Invoice

from .models import Payment, Refund


def payment_event(payment: Payment, invoice: Invoice):
    return event_emit(
        type="payment.succeeded",
        data={
            "id": payment.pk,
            "invoice_id": invoice.pk,
            "invoice_number": invoice.number,
            "order_id": invoice.order_id,
            "amount": format_amount(payment.amount, payment.currency),
            "currency": payment.currency,
            "method": payment.method,
            "provider": payment.provider,
            "provider_reference": payment.provider_reference,
            "card_brand": payment.card_brand,
            "card_last4": payment.card_last4,
            "paid_at": payment.paid_at,
        },
        customer_id=invoice.customer_id,
    )


def refund_event(refund: Refund, payment: Payment, invoice: Invoice):
    """``invoice`` with its amounts as the refund leaves them: open, refunded in
    part or in full."""
    currency = payment.currency
    return event_emit(
        type="payment.refunded",
        data={
            "id": refund.pk,
            "payment_id": payment.pk,
            "invoice_id": invoice.pk,
            "invoice_number": invoice.number,
            "order_id": invoice.order_id,
            "amount": format_amount(refund.amount, currency),
            "currency": currency,
            "reason": refund.reason,
            "provider": refund.provider,
            "provider_reference": refund.provider_reference,
            "provider_status": refund.provider_status,
            "refunded_at": refund.refunded_at,
            "payment_amount": format_amount(payment.amount, currency),
            "payment_amount_refunded": format_amount(payment.amount_refunded, currency),
            "invoice_status": "refunded" if invoice.amount_paid == 0 else "partially_refunded",
            "invoice_amount_paid": format_amount(invoice.amount_paid, currency),
            "invoice_balance": format_amount(invoice.balance, currency),
        },
        customer_id=invoice.customer_id,
    )
