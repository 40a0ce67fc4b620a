"""The public bill pages: what a payer opens from ``bill_url`` and ``payment_url``.
Whoever holds the (random) bill number may see the bill, as with a paper bill."""

import uuid

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from billing_site.errors import BillingError
from billing_site.money import format_amount
from invoices.receipts import receipt_token

from . import selectors, services


def _not_found(request, bill_no):
    return render(request, "bills/not_found.html", {"bill_no": bill_no}, status=404)


def _context(bill) -> dict:
    invoice = bill.invoice
    currency = invoice.currency
    return {
        "bill": bill,
        "invoice": invoice,
        "customer": invoice.billed_customer,
        "lines": [
            {
                "description": line.description,
                "quantity": f"{line.quantity.normalize():f}",
                "price": format_amount(line.unit_price, currency),
                "total": format_amount(line.total, currency),
            }
            for line in invoice.lines.all()
        ],
        "total": format_amount(invoice.total, currency),
        "paid": format_amount(invoice.amount_paid, currency),
        "balance": format_amount(invoice.balance, currency),
        "status": invoice.display_status,
        "payable": invoice.status == "open",
        "pdf_url": reverse("invoice-receipt-pdf", kwargs={"token": receipt_token(invoice)}),
        "pay_url": reverse("bill-pay", args=[bill.bill_no]),
        "sandbox": settings.SANDBOX_PAYMENTS,
        "seller": settings.BILLING_SELLER_NAME,
    }


def bill_page(request, bill_no):
    bill = selectors.bill_for_page(bill_no)
    if bill is None:
        return _not_found(request, bill_no)
    return render(request, "bills/bill.html", _context(bill))


@require_http_methods(["GET", "POST"])
def payment_page(request, bill_no):
    """GET: what is due and how to pay. POST (the sandbox provider): the payment
    goes through the same signed notification a real provider would send."""
    bill = selectors.bill_for_page(bill_no)
    if bill is None:
        return _not_found(request, bill_no)
    context = _context(bill)
    if request.method == "POST":
        if not (settings.SANDBOX_PAYMENTS and context["payable"]):
            return render(request, "bills/pay.html", context, status=409)
        try:
            services.bill_payment_notification(
                provider="sandbox", payload=_sandbox_notification(bill)
            )
        except BillingError as exc:
            context["error"] = exc.message
            return render(request, "bills/pay.html", context, status=exc.status_code)
        return redirect(bill.collection.redirect_url or reverse("bill-page", args=[bill.bill_no]))
    return render(request, "bills/pay.html", context)


def _sandbox_notification(bill) -> dict:
    invoice = bill.invoice
    payload = {
        "bill_no": bill.bill_no,
        "amount": format_amount(invoice.balance, invoice.currency),
        "currency": invoice.currency,
        "ref_id": f"sandbox-{uuid.uuid4().hex}",
        "paid": "true",
        "status": "paid",
    }
    payload["signature"] = services.notification_signature(payload, bill.collection.callback_secret)
    return payload
