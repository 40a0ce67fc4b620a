"""Receipt links: signed and expiring, so they can be handed to a browser
without a token."""

from django.conf import settings
from django.core import signing
from rest_framework.exceptions import APIException, NotFound

from .models import Invoice

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
