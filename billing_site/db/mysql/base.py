"""Django's MySQL/MariaDB backend, with its health check (a ping, with
CONN_HEALTH_CHECKS) sent only before reusing a connection that has been idle.

Django pings a persistent connection before each request's first query, to find
one the server closed while it sat unused. On a busy worker that is a round trip
to the database on every request, for a connection that answered a moment ago.
A connection used within the last second is taken as it is: if it died in that
second, the request meets the error as it would have mid-request (a 503), and the
connection is replaced for the next one.

A ping that times out means a stalled server, not a closed connection:
connecting again would keep the request waiting as long once more, so the
connection is dropped and the request fails at once (a 503)."""

import time

from django.db import OperationalError
from django.db.backends.mysql import base

IDLE_BEFORE_HEALTH_CHECK = 1.0  # seconds


class DatabaseWrapper(base.DatabaseWrapper):
    _last_used = float("-inf")

    def close_if_health_check_failed(self):
        if time.monotonic() - self._last_used < IDLE_BEFORE_HEALTH_CHECK:
            self.health_check_done = True
            return
        held, started = self.connection is not None, time.monotonic()
        super().close_if_health_check_failed()
        waited = time.monotonic() - started
        # A closed connection fails its ping at once; a stalled server after the timeout.
        timeout = self.settings_dict["OPTIONS"].get("read_timeout", float("inf"))
        if held and self.connection is None and waited >= timeout / 2:
            raise OperationalError(2013, f"The database did not answer a ping in {waited:.1f} s")

    def _cursor(self, name=None):
        cursor = super()._cursor(name)
        self._last_used = time.monotonic()
        return cursor
