"""Django's MySQL/MariaDB backend, with its health check (a ping, with
CONN_HEALTH_CHECKS) sent only before reusing a connection that has been idle.

Django pings a persistent connection before each request's first query, to find
one the server closed while it sat unused. On a busy worker that is a round trip
to the database on every request, for a connection that answered a moment ago.
A connection used within the last second is taken as it is: if it died in that
second, the request meets the error as it would have mid-request (a 503), and the
connection is replaced for the next one."""

import time

from django.db.backends.mysql import base

IDLE_BEFORE_HEALTH_CHECK = 1.0  # seconds


class DatabaseWrapper(base.DatabaseWrapper):
    _last_used = float("-inf")

    def close_if_health_check_failed(self):
        if time.monotonic() - self._last_used < IDLE_BEFORE_HEALTH_CHECK:
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _cursor(self, name=None):
        cursor = super()._cursor(name)
        self._last_used = time.monotonic()
        return cursor
