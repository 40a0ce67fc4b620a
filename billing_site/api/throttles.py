"""Throttles: a fixed-window counter per client and scope, and the login
endpoints' limits per client address and per username, so guessing passwords is
slow from one address and against one account."""

import hashlib

from rest_framework import throttling


class FixedWindowMixin:
    """Counts a client's requests in one cache counter per window of the rate's
    period (``100/min``: the current minute). DRF's own throttle keeps a list of
    every request's time and reads and writes it whole each time: thousands of
    entries for a client near a busy face's limit. A window may let a client
    spend its allowance at its end and again at the next one's start."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        key = f"{self.key}:{window}"
        try:
            count = self.cache.incr(key)
        except ValueError:  # the window's first request
            self.cache.add(key, 0, timeout=self.duration + 1)
            count = self.cache.incr(key)
        return count <= self.num_requests

    def wait(self):
        return max(self.window_ends - self.now, 0)


class ScopedRateThrottle(FixedWindowMixin, throttling.ScopedRateThrottle):
    """Per user (or address) and per face: the view's ``throttle_scope``."""

    def allow_request(self, request, view):
        # As DRF's: the view's scope picks the rate; a view without one is not limited.
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class LoginAddressThrottle(FixedWindowMixin, throttling.SimpleRateThrottle):
    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUsernameThrottle(FixedWindowMixin, throttling.SimpleRateThrottle):
    scope = "login_username"

    def get_cache_key(self, request, view):
        data = request.data if isinstance(request.data, dict) else {}
        username = data.get("username")
        if not isinstance(username, str) or not username:
            return None
        ident = hashlib.sha256(username.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


LOGIN_THROTTLES = [LoginAddressThrottle, LoginUsernameThrottle]
