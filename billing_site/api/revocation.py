"""Access tokens revoked at logout: each one's ``jti`` is on a deny-list in the
shared cache (Redis with ``REDIS_URL``, else the process's default cache) until
the token expires. The worker that revokes a token refuses it at once; another
worker asks the cache about a token at most once per PERMISSIONS_LOCAL_SECONDS
(as for a user's permissions), so a revoked token stops working there within
that time, and the gateway's hot path costs one dictionary lookup, not a round
trip. When the cache cannot be reached, a token counts as not revoked (and that
is logged): its signature and expiry still hold it."""

import logging
import time

from django.conf import settings
from django.core.cache import cache

from .cache import CacheUnavailable

logger = logging.getLogger(__name__)

KEY = "auth:revoked-access:{jti}"

# jti -> (until when this process trusts what it learned, revoked): bounded,
# emptied when full. A revoked token is never let through again.
_known: dict[str, tuple[float, bool]] = {}
_KNOWN_LIMIT = 10_000


def revoke(token) -> None:
    """Put the access token's ``jti`` on the deny-list until it expires."""
    jti, seconds = token["jti"], int(token["exp"] - time.time()) + 1
    if seconds <= 0:
        return
    _remember(jti, True)
    try:
        cache.set(KEY.format(jti=jti), True, timeout=seconds)
    except Exception:
        logger.exception("Could not put a revoked access token on the shared deny-list")


def is_revoked(token) -> bool:
    jti = token["jti"]
    known = _known.get(jti)
    if known is not None and (known[1] or time.monotonic() < known[0]):
        return known[1]
    try:
        revoked = bool(cache.get(KEY.format(jti=jti)))
    except CacheUnavailable:  # down or stalled: the cache logs it, once an outage
        return False
    except Exception:
        logger.exception("The token deny-list could not be read; the token is let through")
        return False
    _remember(jti, revoked)
    return revoked


def _remember(jti: str, revoked: bool) -> None:
    if len(_known) >= _KNOWN_LIMIT:
        _known.clear()
    _known[jti] = (time.monotonic() + settings.PERMISSIONS_LOCAL_SECONDS, revoked)


def forget() -> None:
    """Forget what this process learned (tests: another worker's view)."""
    _known.clear()
