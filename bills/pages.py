"""The public bill pages: what a payer opens from a bill's ``bill_url``,
``payment_url`` and ``forward_payment_url``, on document 004's paths
(``/billing/bills/bill-payment?code=…``, ``/payment/gateway/secure-pay?bill_no=…``,
``/payment/gateway/forward-to-payment-gateway?transactionRefId=…``; the earlier
``/bills/<no>`` and ``/bills/<no>/pay`` stay as aliases). Whoever holds the
(random) bill number may see the bill, as with a paper bill.

The pages live in the app, not in its API package (``bills/api/``): they are
HTML for payers, with no token and under CSRF, and the API only links to them
through the path helpers below."""

import re
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from billing_site.documents import links
from billing_site.errors import BillingError
from billing_site.money import format_amount

from . import selectors, services
from .models import Bill

# ``CD__<bill_no>__<when the bill was raised>``: the bill number finds the bill;
# the time (YYYYMMDDHHMMSS, as its created_at shows it) only says which one a
# person reading the reference sees, so a link survives a change of TIME_ZONE.
TRANSACTION_REFERENCE = re.compile(r"CD__([A-Za-z0-9]{1,16})__[0-9]{14}")


def bill_path(bill: Bill) -> str:
    return f"{reverse('bill-page')}?{urlencode({'code': bill.bill_no})}"


def payment_path(bill: Bill) -> str:
    return f"{reverse('bill-pay')}?{urlencode({'bill_no': bill.bill_no})}"


def forward_payment_path(bill: Bill) -> str:
    query = urlencode({"transactionRefId": transaction_reference(bill)})
    return f"{reverse('bill-forward')}?{query}"


# The salt of the bill's document links (``pdfs``).
DOCUMENT_SALT = "bills.document"


def bill_pdf_path(bill: Bill) -> str:
    """The bill as a PDF, behind a signed, expiring link."""
    return reverse("bill-pdf", kwargs={"token": links.sign(bill.pk, DOCUMENT_SALT)})


def bill_receipt_path(bill: Bill) -> str:
    """The receipts of the bill's payments as a PDF (the bill while none)."""
    return reverse("bill-receipt-pdf", kwargs={"token": links.sign(bill.pk, DOCUMENT_SALT)})


def transaction_reference(bill: Bill) -> str:
    return f"CD__{bill.bill_no}__{timezone.localtime(bill.created_at):%Y%m%d%H%M%S}"


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
        "pdf_url": bill_pdf_path(bill),
        "receipt_url": bill_receipt_path(bill) if invoice.payments.all() else "",
        "bill_url": bill_path(bill),
        "pay_url": payment_path(bill),
        "sandbox": settings.SANDBOX_PAYMENTS,
        "seller": settings.BILLING_SELLER_NAME,
    }


@require_http_methods(["GET", "HEAD"])
def bill_page(request, bill_no=None):
    """The bill: ``?code=<bill_no>``, or the alias ``/bills/<bill_no>``."""
    bill_no = request.GET.get("code", "") if bill_no is None else bill_no
    bill = selectors.bill_for_page(bill_no)
    if bill is None:
        return _not_found(request, bill_no)
    return render(request, "bills/bill.html", _context(bill))


@require_http_methods(["GET", "HEAD", "POST"])
def payment_page(request, bill_no=None):
    """``?bill_no=``, or the alias ``/bills/<bill_no>/pay``. GET: what is due and
    how to pay. POST (the sandbox provider): the payment goes through the same
    signed notification a real provider would send; then the payer goes on to
    the collection's ``redirect_url`` when the bill asks for it (``api_redirect``)
    and the collection has one, else back to the bill."""
    bill_no = request.GET.get("bill_no", "") if bill_no is None else bill_no
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
        onward = bill.collection.redirect_url if bill.api_redirect else ""
        return redirect(onward or bill_path(bill))
    return render(request, "bills/pay.html", context)


@require_GET
def forward_to_payment(request):
    """``forward_payment_url``: on to the bill's payment page."""
    reference = request.GET.get("transactionRefId", "")
    match = TRANSACTION_REFERENCE.fullmatch(reference)
    if match is None or not selectors.bill_exists(match[1]):
        return _not_found(request, reference)
    return redirect(f"{reverse('bill-pay')}?{urlencode({'bill_no': match[1]})}")


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
