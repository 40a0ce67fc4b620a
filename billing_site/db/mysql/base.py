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
connection is dropped and the request fails at once (a 503).

An atomic block's transaction starts with ``START TRANSACTION`` while the session
stays in autocommit mode (as Django's SQLite backend does with ``BEGIN``): its
COMMIT or ROLLBACK ends it, and the round trip of ``SET autocommit=1`` after
every transaction (and of ``SET autocommit=0`` before it) is not needed."""

import time

from django.db import OperationalError
from django.db.backends.mysql import base
from django.db.backends.utils import debug_transaction

IDLE_BEFORE_HEALTH_CHECK = 1.0  # seconds


class DatabaseWrapper(base.DatabaseWrapper):
    _last_used = float("-inf")
    # Django holds autocommit off for a transaction begun by START TRANSACTION;
    # the session's own autocommit stayed on.
    _started_under_autocommit = False

    def get_new_connection(self, conn_params):
        # A new session is in MySQLdb's default mode until Django sets its own.
        self._started_under_autocommit = False
        return super().get_new_connection(conn_params)

    def _start_transaction_under_autocommit(self):
        with (
            debug_transaction(self, "START TRANSACTION"),
            self.wrap_database_errors,
            self.connection.cursor() as cursor,
        ):
            cursor.execute("START TRANSACTION")
        self._started_under_autocommit = True

    def _set_autocommit(self, autocommit):
        if self._started_under_autocommit:
            # The transaction's COMMIT or ROLLBACK has ended it; autocommit is on.
            self._started_under_autocommit = False
            if autocommit:
                return
        super()._set_autocommit(autocommit)

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
