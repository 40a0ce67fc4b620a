"""Receipt links: signed and expiring, so they can be handed to a browser
without a token; and the PDF behind them."""

from django.conf import settings
from django.core import signing
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import APIException, NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .api.serializers import InvoiceSerializer
from .models import Invoice
from .renderers import ReceiptPDFRenderer

_SALT = "invoices.receipt"


class LinkExpired(APIException):
    status_code = 410
    default_detail = "This receipt link has expired; ask for a new one."


def receipt_token(invoice: Invoice) -> str:
    return signing.dumps(invoice.pk, salt=_SALT)


def invoice_from_token(token: str) -> Invoice:
    try:
        pk = signing.loads(token, salt=_SALT, max_age=settings.RECEIPT_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkExpired() from None
    except signing.BadSignature:
        raise NotFound("This receipt link is not valid.") from None
    invoice = (
        Invoice.objects.select_related("customer")
        .prefetch_related("lines", "payments")
        .filter(pk=pk)
        .first()
    )
    if invoice is None:
        raise NotFound("This receipt link is not valid.")
    return invoice


class ReceiptPDFView(APIView):
    """The receipt PDF behind a signed link (the ISP face's receipt answer, the
    bill pages and the admin give it out): no token needed, the link is the key."""

    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [ReceiptPDFRenderer]
    http_method_names = ["get", "head"]
    throttle_scope = "invoices"

    @extend_schema(
        tags=["receipts"],
        operation_id="invoice_receipt_pdf",
        auth=[],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (404, "application/json"): OpenApiTypes.OBJECT,
            (410, "application/json"): OpenApiTypes.OBJECT,
        },
    )
    def get(self, request, token):
        invoice = invoice_from_token(token)
        return Response(
            InvoiceSerializer(invoice).data,
            headers={"Content-Disposition": f'inline; filename="invoice_{invoice.pk}.pdf"'},
        )
