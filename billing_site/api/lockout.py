"""Failed logins, and the lock-outs they lead to.

Successful logins are never limited: a gateway client may log in before every
call. A failed one (whatever Django's ``authenticate()`` refuses: a wrong
password, an unknown or inactive user) on ``/login``, ``/api/auth/token/`` or
the admin's login page is counted against its username and against its client
address, in fixed windows of THROTTLE_LOGIN_FAILURE_WINDOW_SECONDS (as the
throttles count). The failure that makes THROTTLE_LOGIN_FAILURES_PER_USERNAME
for a username, or THROTTLE_LOGIN_FAILURES_PER_ADDRESS from an address, in one
window locks that username or address out for THROTTLE_LOGIN_LOCKOUT_SECONDS:
every login for it, a correct password included, is then refused with a 429 and
``Retry-After`` until the time is up.

Counts and lock-outs live in the shared cache (Redis), so every worker applies
them. While it cannot be used, each worker counts and locks out by itself, and
keeps the lock-outs it set then after Redis is back."""

import hashlib
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework import exceptions, throttling

from .cache import CacheUnavailable
from .local_cache import LocalCache
from .throttles import add_to_counter

FAILURES_KEY = "login-failures:{subject}:{window}"
LOCKOUT_KEY = "login-lockout:{subject}"
LOCKED_OUT = "Too many failed logins for this username or from this address."

clock = time.time  # when a lock-out ends, by this clock; tests move it

# Counts and lock-outs this process keeps while the shared cache cannot be used.
_here = LocalCache()


def seconds_locked_out(request, username) -> float:
    """How long logins for ``username`` from ``request``'s client address stay
    refused: 0 when neither is locked out."""
    keys = [LOCKOUT_KEY.format(subject=subject) for subject, _ in _subjects(request, username)]
    try:
        shared = cache.get_many(keys)
    except CacheUnavailable:  # logged by the cache, once an outage
        shared = {}
    ends = [end for end in (*shared.values(), *map(_here.get, keys)) if end is not None]
    return max([end - clock() for end in ends] + [0])


def login_failed(sender, credentials, request=None, **kwargs) -> None:
    """``user_login_failed`` receiver: count the failure against its username
    and address, and lock out either one that has reached its limit."""
    if request is None:  # not a client's login: authenticate() called from code
        return
    now, window = clock(), settings.THROTTLE_LOGIN_FAILURE_WINDOW_SECONDS
    username = credentials.get(get_user_model().USERNAME_FIELD)
    for subject, allowed in _subjects(request, username):
        key = FAILURES_KEY.format(subject=subject, window=int(now // window))
        if _count(key, window + 1) >= allowed:
            _lock_out(LOCKOUT_KEY.format(subject=subject), now)


def _subjects(request, username) -> list[tuple[str, int]]:
    """What a login is counted against, and the failures each may have."""
    address = throttling.BaseThrottle().get_ident(request)  # as TRUSTED_PROXIES says
    subjects = [(f"address:{address}", settings.THROTTLE_LOGIN_FAILURES_PER_ADDRESS)]
    if isinstance(username, str) and username.strip():
        # One account however it is spelled; hashed: keys of a bounded size.
        digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()
        subjects.append((f"username:{digest}", settings.THROTTLE_LOGIN_FAILURES_PER_USERNAME))
    return subjects


def _count(key: str, seconds: int) -> int:
    try:
        return add_to_counter(cache, key, 1, timeout=seconds)
    except CacheUnavailable:
        count = _here.get(key, 0) + 1
        _here.set(key, count, seconds)
        return count


def _lock_out(key: str, now: float) -> None:
    seconds = settings.THROTTLE_LOGIN_LOCKOUT_SECONDS
    try:
        cache.set(key, now + seconds, timeout=seconds + 1)
    except CacheUnavailable:
        _here.set(key, now + seconds, seconds + 1)


def forget() -> None:
    """Drop what this process keeps by itself (tests)."""
    _here.clear()


class LoginLockout(throttling.BaseThrottle):
    """Refuses a login for a locked-out username or from a locked-out address."""

    def allow_request(self, request, view):
        data = request.data if isinstance(request.data, dict) else {}
        self.seconds = seconds_locked_out(request, data.get(get_user_model().USERNAME_FIELD))
        return not self.seconds

    def wait(self):
        return self.seconds


class LockedOutMixin:
    """A login view behind ``LoginLockout``, whose 429 says why."""

    throttle_classes = [LoginLockout]

    def throttled(self, request, wait):
        raise exceptions.Throttled(wait, detail=LOCKED_OUT)
