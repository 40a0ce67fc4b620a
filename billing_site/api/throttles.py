"""Throttles: a fixed-window counter per client and scope. (Logins are limited
by their failures instead: ``lockout``.)"""

import threading

from rest_framework import throttling

from .cache import CacheUnavailable

# Each process takes a client's allowance from the shared counter in slices of
# this share of the rate, and spends them itself: one cache round trip per slice
# rather than per request (a rate under 200 a window is still asked every time).
SLICES_PER_WINDOW = 100
_SLICES_LIMIT = 10_000  # clients held at once by a process; emptied when full

# client key -> (window, requests this process may still let through in it)
_slices: dict[str, tuple[int, int]] = {}
_slices_lock = threading.Lock()


def _admit(cache, key: str, window: int, limit: int, *, timeout: int) -> bool:
    """Whether one more request of the client at ``key`` fits in ``window``. The
    counter never admits more than ``limit`` in all; a client may be refused up
    to a slice early for each other process still holding part of one."""
    with _slices_lock:
        held_window, held = _slices.get(key, (window, 0))
        if held_window == window and held:
            _slices[key] = (window, held - 1)
            return True
    size = max(1, limit // SLICES_PER_WINDOW)
    try:
        counted = add_to_counter(cache, f"{key}:{window}", size, timeout=timeout)
    except CacheUnavailable:  # Redis down or stalled: this process counts alone
        return _admit_locally(key, window, limit)
    granted = min(size, limit - (counted - size))  # what of this slice fits
    if granted <= 0:
        return False
    if granted > 1:
        with _slices_lock:
            if len(_slices) >= _SLICES_LIMIT:
                _slices.clear()
            _slices[key] = (window, granted - 1)
    return True


# client key -> (window, requests this process counted in it without the cache)
_local: dict[str, tuple[int, int]] = {}


def _admit_locally(key: str, window: int, limit: int) -> bool:
    """Without the shared cache, each process holds a client to the whole rate
    by itself: a client may then get up to one rate per worker process."""
    with _slices_lock:
        if key not in _local and len(_local) >= _SLICES_LIMIT:
            # Full: past windows go; if every client counted is of this window, a
            # new one is refused rather than any count forgotten (a flood of new
            # clients must not reset a busy client's count).
            for stale in [k for k, (held, _) in _local.items() if held != window]:
                del _local[stale]
            if len(_local) >= _SLICES_LIMIT:
                return False
        held_window, counted = _local.get(key, (window, 0))
        counted = counted + 1 if held_window == window else 1
        _local[key] = (window, counted)
    return counted <= limit


def forget_slices() -> None:
    """Drop the allowance this process holds and what it counted alone (tests
    that reset the counters)."""
    with _slices_lock:
        _slices.clear()
        _local.clear()


def add_to_counter(cache, key: str, amount: int, *, timeout: int) -> int:
    """Adds ``amount`` to the window's counter at ``key``; the count after."""
    if hasattr(cache, "incr_expiring"):  # the project's Redis cache: one round trip
        return cache.incr_expiring(key, timeout, delta=amount)
    try:
        return cache.incr(key, amount)
    except ValueError:  # the window's first request
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key, amount)


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
        return _admit(self.cache, self.key, window, self.num_requests, timeout=self.duration + 1)

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
