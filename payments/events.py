"""``payment.succeeded``: money received against an invoice, with the event of
the invoice's move (``invoice.paid``) after it when it pays the invoice off."""

from billing_site.money import format_amount
from events.services import event_emit
from invoices.models import Invoice

from .models import Payment


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
