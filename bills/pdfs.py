"""A bill's PDFs behind signed links, as its page hands them out: the bill
(``/billing/bills/<token>.pdf``) and the receipts of its payments, one page each
(``/billing/bills/<token>/receipt.pdf``; the bill while nothing is paid). The
links come from ``pages.bill_pdf_path`` and ``pages.bill_receipt_path``."""

from drf_spectacular.utils import extend_schema

from billing_site.documents import links
from invoices.receipts import PDF_RESPONSES, SignedPDFView, pdf_response

from . import pages
from .documents import bill_document, bill_receipt_document
from .models import Bill


def bill_from_token(token: str) -> Bill:
    """The bill a link names, with what its documents read (three queries)."""
    bill = (
        Bill.objects.select_related("invoice__customer", "invoice__frozen_customer", "collection")
        .prefetch_related("invoice__lines", "invoice__payments")
        .filter(pk=links.unsign(token, pages.DOCUMENT_SALT, "bill"))
        .first()
    )
    if bill is None:
        raise links.not_found("bill")
    return bill


class BillPDFView(SignedPDFView):
    throttle_scope = "bills"

    @extend_schema(
        auth=[],
        responses=PDF_RESPONSES,
    )
    def get(self, request, token):
        bill = bill_from_token(token)
        pay_url = ""
        if bill.invoice.status == "open":
            pay_url = request.build_absolute_uri(pages.payment_path(bill))
        return pdf_response(bill_document(bill, pay_url), f"bill_{bill.bill_no}")


class BillReceiptPDFView(SignedPDFView):
    throttle_scope = "bills"

    @extend_schema(
        auth=[],
        responses=PDF_RESPONSES,
    )
    def get(self, request, token):
        bill = bill_from_token(token)
        if not bill.invoice.payments.all():
            return pdf_response(bill_document(bill), f"bill_{bill.bill_no}")
        return pdf_response(bill_receipt_document(bill), f"receipt_{bill.bill_no}")
