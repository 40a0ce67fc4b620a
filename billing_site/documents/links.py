"""Signed, expiring document links: a row's id signed with a salt of its own,
so a link can be handed to a browser without a token and opens that row's
documents only, until ``RECEIPT_LINK_MAX_AGE`` seconds have passed."""

from django.conf import settings
from django.core import signing
from rest_framework.exceptions import APIException, NotFound


class LinkExpired(APIException):
    status_code = 410


def sign(pk: int, salt: str) -> str:
    return signing.dumps(pk, salt=salt)


def unsign(token: str, salt: str, what: str) -> int:
    """The id ``token`` signs; 410 when it expired, 404 when it is not ours.
    ``what`` names the link in the answer ("receipt": "This receipt link ...")."""
    try:
        return signing.loads(token, salt=salt, max_age=settings.RECEIPT_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkExpired(f"This {what} link has expired; ask for a new one.") from None
    except signing.BadSignature:
        raise not_found(what) from None


def not_found(what: str) -> NotFound:
    return NotFound(f"This {what} link is not valid.")
