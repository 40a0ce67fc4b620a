"""Access tokens revoked at logout: each one's ``jti`` is kept in the database
(``RevokedAccessToken``) until the token expires, and copied to the shared cache
(Redis with ``REDIS_URL``), which answers most questions. The worker that
revokes a token refuses it at once; another worker asks about a token at most
once per PERMISSIONS_LOCAL_SECONDS (as for a user's permissions), so a revoked
token stops working there within that time, and the gateway's hot path costs
one dictionary lookup, not a round trip.

The cache also remembers, for NOT_REVOKED_SECONDS, that a token was not revoked.
When the cache is unreachable, or has forgotten (a Redis restarted empty), the
database answers: a logout is never undone by losing Redis. A logout made while
the cache was unreachable reaches the workers that asked the cache just before
within NOT_REVOKED_SECONDS."""

import contextlib
import datetime
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .local_cache import LocalCache
from .models import RevokedAccessToken

logger = logging.getLogger(__name__)

KEY = "auth:revoked-access:{jti}"
NOT_REVOKED_SECONDS = 10

# jti -> whether it is revoked, as this process learned it: a revoked token is
# never let through again, a token not revoked is asked about again after
# PERMISSIONS_LOCAL_SECONDS.
_known = LocalCache()


def revoke(token) -> None:
    """Put the access token's ``jti`` on the deny-list until it expires."""
    jti, seconds = token["jti"], int(token["exp"] - time.time()) + 1
    if seconds <= 0:
        return
    now = timezone.now()
    RevokedAccessToken.objects.filter(expires_at__lt=now).delete()  # the expired: moot
    RevokedAccessToken.objects.get_or_create(
        jti=jti, defaults={"expires_at": now + datetime.timedelta(seconds=seconds)}
    )
    _remember(jti, True)
    _cache_set(jti, True, seconds)


def is_revoked(token) -> bool:
    jti = token["jti"]
    known = _known.get(jti)
    if known is not None:
        return known
    revoked = _cache_get(jti)
    if revoked is None:  # not in the cache, or no cache to ask: the record answers
        revoked = RevokedAccessToken.objects.filter(jti=jti).exists()
        seconds = int(token["exp"] - time.time()) + 1 if revoked else NOT_REVOKED_SECONDS
        _cache_set(jti, revoked, seconds)
    _remember(jti, revoked)
    return revoked


def _cache_get(jti: str) -> bool | None:
    if not settings.REDIS_URL:  # a process's own cache would not hear of other workers
        return None
    try:
        found = cache.get(KEY.format(jti=jti))
    except Exception:  # down or stalled: the cache logs it, once an outage
        return None
    return None if found is None else bool(found)


def _cache_set(jti: str, revoked: bool, seconds: int) -> None:
    if settings.REDIS_URL and seconds > 0:
        with contextlib.suppress(Exception):  # the database holds the record
            cache.set(KEY.format(jti=jti), revoked, timeout=seconds)


def _remember(jti: str, revoked: bool) -> None:
    _known.set(jti, revoked, None if revoked else settings.PERMISSIONS_LOCAL_SECONDS)


def forget() -> None:
    """Forget what this process learned (tests: another worker's view)."""
    _known.clear()
