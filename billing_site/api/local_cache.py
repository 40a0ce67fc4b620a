"""What a process keeps of its own to spare itself a round trip or a computation
it made a moment ago: the tokens it verified, the users and permissions it read
from the shared cache, what it learned of revoked tokens, and the login counts
it keeps while Redis is down."""

import threading
import time

_MISSING = object()


class LocalCache:
    """A bounded map whose entries expire.

    An entry lives ``seconds`` after it is set (``None``: until it is dropped or
    the cache is cleared); an expired one is never returned. Full, the cache
    drops what has expired and, if that frees less than a tenth, the entries set
    longest ago, a tenth at a time: a flood of new keys costs one sweep per
    tenth of ``max_entries``, and what is still being set stays. ``clear()``
    also keeps a read that began before it from being stored (``get_or_set``).

    Reads take no lock (the hot path: a dictionary lookup and a clock read);
    writes take one."""

    def __init__(self, max_entries: int = 10_000):
        self.max_entries = max_entries
        self._entries: dict = {}  # key -> (expires at, by time.monotonic(), or None; value)
        self._clears = 0
        self._lock = threading.Lock()

    def get(self, key, default=None):
        found = self._entries.get(key)
        if found is None:
            return default
        expires, value = found
        if expires is not None and time.monotonic() >= expires:
            return default
        return value

    def set(self, key, value, seconds: float | None) -> None:
        """Keep ``value`` at ``key`` for ``seconds``; nothing is kept for 0 or less."""
        if seconds is not None and seconds <= 0:
            return
        expires = None if seconds is None else time.monotonic() + seconds
        with self._lock:
            # Set again, a key moves to the end: the last to go when the cache is full.
            if self._entries.pop(key, None) is None and len(self._entries) >= self.max_entries:
                self._make_room()
            self._entries[key] = (expires, value)

    def get_or_set(self, key, read, seconds: float | None):
        """The value at ``key``, or ``read()``'s, then kept for ``seconds`` unless
        the cache was cleared while ``read()`` ran (what it read may be stale)."""
        value = self.get(key, _MISSING)
        if value is not _MISSING:
            return value
        began = self._clears
        value = read()
        if began == self._clears:
            self.set(key, value, seconds)
        return value

    def clear(self) -> None:
        with self._lock:
            self._clears += 1
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _make_room(self) -> None:
        now, tenth = time.monotonic(), max(1, self.max_entries // 10)
        expired = [
            key
            for key, (expires, _) in self._entries.items()
            if expires is not None and now >= expires
        ]
        for key in expired:
            del self._entries[key]
        for key in list(self._entries)[: max(0, tenth - len(expired))]:
            del self._entries[key]
