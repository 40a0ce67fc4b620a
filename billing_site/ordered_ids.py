"""Ids that sort in the order they were made: the time in milliseconds first (as
a UUIDv7 orders them), then random bits. Within one millisecond, or when the
clock steps back, an id is the last one plus a random step (as a monotonic ULID
counts up, but not guessable from the one before), so this process's ids never
sort before one it made earlier."""

import os
import secrets
import threading
import time


class OrderedIds:
    def __init__(self, random_bits: int):
        self._random_bits = random_bits
        self._digits = 12 + random_bits // 4  # 48 bits of milliseconds, then the random part
        self._last = 0
        self._lock = threading.Lock()
        # A lock another thread held when the process forked would stay held in the child.
        os.register_at_fork(after_in_child=self._new_lock)

    def _new_lock(self) -> None:
        self._lock = threading.Lock()

    def __call__(self) -> str:
        milliseconds = time.time_ns() // 1_000_000
        drawn = milliseconds << self._random_bits | secrets.randbits(self._random_bits)
        with self._lock:
            if drawn <= self._last:
                drawn = self._last + 1 + secrets.randbits(self._random_bits // 2)
            self._last = made = drawn
        return f"{made:0{self._digits}x}"
