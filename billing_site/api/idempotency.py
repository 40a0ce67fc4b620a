"""``Idempotency-Key``: the first response to a request is stored per user and
key for a day and replayed byte for byte on a retry. The same key with another
request is a 422; a retry while the first is still running is a 409.

Keys live in the database, never only in Redis, and the answer is saved in the
same transaction as the work it answers: a payment and the answer that reports
it commit together or not at all. A request claims its key (committed at once)
with a lease of IDEMPOTENCY_LEASE_SECONDS:

- a request that raises, or whose process is told to stop (gunicorn's timeout
  raises ``SystemExit``), rolls its work back and releases the key;
- one whose process dies outright (``kill -9``) leaves the key to its lease: its
  work rolled back with its connection, and a retry after the lease takes the
  key over and does the work, once;
- one that stalls past its lease and then goes on can no longer save its answer
  once a retry took the key over (the save is conditional on its own lease), so
  its work rolls back: of the two, one commits.

An answer that was given (2xx, 4xx) is what a retry gets."""

import functools
import hashlib
import logging
import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import APIException

from .models import IdempotencyKey

logger = logging.getLogger(__name__)

KEPT_HEADERS = ("Content-Type", "Content-Disposition")
# Visible ASCII, as a UUID or any token a client makes up: a header carries no more.
KEY_PATTERN = "^[!-~]{1,255}$"
HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    pattern=KEY_PATTERN,
    description="Any unique string of 1 to 255 visible ASCII characters: a retry with "
    "the same key gets the first answer again instead of repeating the operation.",
)


class KeyMalformed(APIException):
    status_code = 400
    default_detail = "Idempotency-Key must be 1 to 255 visible ASCII characters."


class KeyReused(APIException):
    status_code = 422
    default_detail = "This Idempotency-Key was used for a different request."


class KeyInUse(APIException):
    status_code = 409
    default_detail = "A request with this Idempotency-Key is still being processed."


class LeaseLost(APIException):
    status_code = 409
    default_detail = (
        "A retry with this Idempotency-Key took it over while this request ran; nothing"
        " of this request was kept. Send it again to get the retry's answer."
    )


def _claim(user_id, key: str, fingerprint: str, token: str) -> IdempotencyKey | None:
    """None when this request now holds the key under ``token`` (a new key, or one
    whose request's lease ended without an answer: its process died); else the
    key's row, answered or still in flight. Committed at once, outside the work's
    transaction, so that a retry sees the key is taken."""
    now = timezone.now()
    rows = IdempotencyKey.objects.filter(user_id=user_id, key=key)
    rows.filter(created_at__lt=now - timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL)).delete()
    lease = {
        "lease_token": token,
        "lease_expires_at": now + timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS),
    }
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(
                user_id=user_id, key=key, fingerprint=fingerprint, **lease
            )
        return None
    except IntegrityError:
        pass
    row = rows.first()
    if row is None:  # released meanwhile: still running as far as this request knows
        return IdempotencyKey(fingerprint=fingerprint)
    if row.status_code is None and row.fingerprint == fingerprint and row.lease_expires_at <= now:
        # Conditional: of two retries after the same dead request, one takes it over.
        taken = rows.filter(
            pk=row.pk, status_code=None, lease_token=row.lease_token, lease_expires_at__lte=now
        ).update(**lease)
        if taken:
            return None
        row = rows.first() or IdempotencyKey(fingerprint=fingerprint)
    return row


def _save(user_id, key: str, token: str, response) -> None:
    """Keeps the answer, in the transaction of the work it answers, if this
    request still holds the key: one whose lease a retry took over rolls back."""
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    saved = IdempotencyKey.objects.filter(
        user_id=user_id, key=key, lease_token=token, status_code=None
    ).update(status_code=response.status_code, content=response.content, headers=headers)
    if not saved:
        raise LeaseLost()


def _release(user_id, key: str, token: str) -> None:
    """Frees a key whose request failed, so a retry may run at once. A failure
    here (the database is gone too) leaves the key to its lease."""
    try:
        IdempotencyKey.objects.filter(
            user_id=user_id, key=key, lease_token=token, status_code=None
        ).delete()
    except Exception:
        logger.warning("Idempotency-Key left to its lease: %s", key, exc_info=True)


def _fingerprint(request) -> str:
    # The query string is part of the request (a report's ``?bom``): the same key
    # with another one is another request. Without one, the path alone, as before.
    query = request.META.get("QUERY_STRING", "")
    target = f"{request.path}?{query}" if query else request.path
    digest = hashlib.sha256(f"{request.method} {target}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def idempotent(handler):
    """Make a DRF view handler honour ``Idempotency-Key``."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not re.fullmatch(KEY_PATTERN, key):
            raise KeyMalformed()
        user_id, fingerprint, token = request.user.pk, _fingerprint(request), uuid.uuid4().hex
        found = _claim(user_id, key, fingerprint, token)
        if found is not None:
            if found.fingerprint != fingerprint:
                raise KeyReused()
            if found.status_code is None:
                raise KeyInUse()
            return _replay(found)
        try:
            # The work and its answer commit together or not at all.
            with transaction.atomic():
                response = view.finalize_response(
                    request, handler(view, request, *args, **kwargs), *args, **kwargs
                )
                if hasattr(response, "render"):  # a plain HttpResponse is rendered already
                    response.render()
                _save(user_id, key, token, response)
        except BaseException:  # an error, or the process told to stop (SystemExit)
            _release(user_id, key, token)
            raise
        return response

    return extend_schema(parameters=[HEADER])(wrapper)


def _replay(stored: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(stored.content), status=stored.status_code)
    for name, value in (stored.headers or {}).items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def expired_keys():
    """The stored keys older than IDEMPOTENCY_KEY_TTL."""
    expired = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL)
    return IdempotencyKey.objects.filter(created_at__lt=expired)


def purge_expired() -> int:
    return expired_keys().delete()[0]
