"""``Idempotency-Key``: the first response to a request is stored per user and
key for a day and replayed byte for byte on a retry. The same key with another
request is a 422; a retry while the first is still running is a 409.

Keys live in the database, or in the shared cache (Redis) when ``REDIS_URL`` is
set. A request that fails with an exception releases its key, so it can be
retried; an answer that was given (2xx, 4xx) is what a retry gets."""

import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import APIException

from .models import IdempotencyKey

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


@dataclass
class Stored:
    fingerprint: str
    status_code: int | None = None
    content: bytes = b""
    headers: dict | None = None


class DatabaseStore:
    def claim(self, user_id, key, fingerprint) -> Stored | None:
        """None when this request now holds the key; else what the key holds."""
        expired = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL)
        IdempotencyKey.objects.filter(user_id=user_id, key=key, created_at__lt=expired).delete()
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(user_id=user_id, key=key, fingerprint=fingerprint)
            return None
        except IntegrityError:
            row = IdempotencyKey.objects.filter(user_id=user_id, key=key).first()
            if row is None:  # released meanwhile: the caller may retry
                return Stored(fingerprint=fingerprint)
            return Stored(row.fingerprint, row.status_code, bytes(row.content), row.headers)

    def save(self, user_id, key, stored: Stored) -> None:
        IdempotencyKey.objects.filter(user_id=user_id, key=key).update(
            status_code=stored.status_code, content=stored.content, headers=stored.headers
        )

    def release(self, user_id, key) -> None:
        IdempotencyKey.objects.filter(user_id=user_id, key=key, status_code=None).delete()


class CacheStore:
    """Atomic claims with the shared cache's add (Redis SET NX)."""

    @staticmethod
    def _name(user_id, key) -> str:
        return f"idempotency:{user_id}:{hashlib.sha256(key.encode()).hexdigest()}"

    def claim(self, user_id, key, fingerprint) -> Stored | None:
        if cache.add(self._name(user_id, key), Stored(fingerprint), settings.IDEMPOTENCY_KEY_TTL):
            return None
        return cache.get(self._name(user_id, key)) or Stored(fingerprint=fingerprint)

    def save(self, user_id, key, stored: Stored) -> None:
        cache.set(self._name(user_id, key), stored, settings.IDEMPOTENCY_KEY_TTL)

    def release(self, user_id, key) -> None:
        cache.delete(self._name(user_id, key))


def store():
    return CacheStore() if settings.REDIS_URL else DatabaseStore()


def _fingerprint(request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
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
        keys, user_id, fingerprint = store(), request.user.pk, _fingerprint(request)
        stored = keys.claim(user_id, key, fingerprint)
        if stored is not None:
            if stored.fingerprint != fingerprint:
                raise KeyReused()
            if stored.status_code is None:
                raise KeyInUse()
            return _replay(stored)
        try:
            response = view.finalize_response(
                request, handler(view, request, *args, **kwargs), *args, **kwargs
            )
            response.render()
        except Exception:
            keys.release(user_id, key)
            raise
        headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        keys.save(
            user_id, key, Stored(fingerprint, response.status_code, response.content, headers)
        )
        return response

    return extend_schema(parameters=[HEADER])(wrapper)


def _replay(stored: Stored) -> HttpResponse:
    response = HttpResponse(stored.content, status=stored.status_code)
    for name, value in (stored.headers or {}).items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def purge_expired() -> int:
    expired = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL)
    return IdempotencyKey.objects.filter(created_at__lt=expired).delete()[0]
