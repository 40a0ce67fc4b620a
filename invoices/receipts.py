"""An invoice's document links: signed and expiring, so they can be handed to
a browser without a token; and the PDFs behind them.

``/receipts/<token>.pdf`` (document 002's receipt URL, the admin's receipt
link) is the receipt of the invoice's payments, one page per payment; while
nothing is paid it is the invoice. ``/invoices/<token>.pdf`` is always the
invoice. One token opens both: it is the key to that invoice's documents."""

import re

from django.db.models import prefetch_related_objects
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from billing_site.documents import links
from billing_site.documents.layout import Document
from billing_site.documents.renderer import PDFRenderer

from .documents.invoice import invoice_document
from .documents.receipt import receipt_document
from .models import Invoice

_SALT = "invoices.receipt"


def receipt_token(invoice: Invoice) -> str:
    return links.sign(invoice.pk, _SALT)


def receipt_path(invoice: Invoice) -> str:
    """The receipt of the invoice's payments (the invoice while none)."""
    return reverse("invoice-receipt-pdf", kwargs={"token": receipt_token(invoice)})


def invoice_pdf_path(invoice: Invoice) -> str:
    """The invoice itself, paid or not."""
    return reverse("invoice-pdf", kwargs={"token": receipt_token(invoice)})


def invoice_from_token(token: str, what: str = "receipt") -> Invoice:
    """The invoice a link names, with what its documents read (three queries);
    ``what`` names the link in the answer when it names none."""
    invoice = (
        Invoice.objects.select_related("customer", "frozen_customer")
        .prefetch_related("lines", "payments")
        .filter(pk=links.unsign(token, _SALT, what))
        .first()
    )
    if invoice is None:
        raise links.not_found(what)
    if invoice.amount_refunded:  # a fourth query, only for an invoice with refunds
        prefetch_related_objects(list(invoice.payments.all()), "refunds")
    return invoice


def pdf_filename(name: str) -> str:
    """``name`` with only the characters every mail and download client keeps."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def pdf_response(document: Document, filename: str) -> Response:
    safe = pdf_filename(filename)
    return Response(document, headers={"Content-Disposition": f'inline; filename="{safe}.pdf"'})


PDF_RESPONSES = {
    (200, "application/pdf"): OpenApiTypes.BINARY,
    (404, "application/json"): OpenApiTypes.OBJECT,
    (410, "application/json"): OpenApiTypes.OBJECT,
}


class SignedPDFView(APIView):
    """A PDF behind a signed link (the ISP face's receipt answer, the bill
    pages and the admin give them out): no token needed, the link is the key."""

    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [PDFRenderer]
    http_method_names = ["get", "head"]
    throttle_scope = "invoices"


class ReceiptPDFView(SignedPDFView):
    @extend_schema(
        auth=[],
        responses=PDF_RESPONSES,
    )
    def get(self, request, token):
        invoice = invoice_from_token(token)
        if not invoice.payments.all():
            return pdf_response(invoice_document(invoice), f"invoice_{invoice.number}")
        return pdf_response(receipt_document(invoice), f"receipt_{invoice.number}")


class InvoicePDFView(SignedPDFView):
    @extend_schema(
        auth=[],
        responses=PDF_RESPONSES,
    )
    def get(self, request, token):
        invoice = invoice_from_token(token, "invoice")
        return pdf_response(invoice_document(invoice), f"invoice_{invoice.number}")
