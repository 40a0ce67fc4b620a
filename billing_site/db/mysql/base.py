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
every transaction (and of ``SET autocommit=0`` before it) is not needed.

``START TRANSACTION`` is sent with the transaction's first statement, in the
same round trip (MySQLdb's connections take several statements at once): a
payment's transaction is a handful of round trips, and this was one of them. A
transaction that sent nothing ends without a COMMIT or ROLLBACK."""

import time

from django.db import IntegrityError, OperationalError
from django.db.backends.mysql import base
from django.db.backends.utils import debug_transaction

IDLE_BEFORE_HEALTH_CHECK = 1.0  # seconds
_BEGIN = "START TRANSACTION"


class CursorWrapper(base.CursorWrapper):
    """Django's MySQL cursor, which sends a transaction's pending ``START
    TRANSACTION`` before its first statement, in the same round trip."""

    def __init__(self, cursor, wrapper: "DatabaseWrapper"):
        super().__init__(cursor)
        self.wrapper = wrapper

    def execute(self, query, args=None):
        if not self.wrapper.begin_pending:
            return super().execute(query, args)
        self.wrapper.begin_pending = False
        prefix = f"{_BEGIN};" if isinstance(query, str) else f"{_BEGIN};".encode()
        try:
            self.cursor.execute(prefix + query, args)
            self.cursor.nextset()  # the statement's own result, errors included
        except base.Database.OperationalError as error:
            if error.args[0] in self.codes_for_integrityerror:
                raise IntegrityError(*error.args) from error
            raise
        return self.cursor.rowcount

    def executemany(self, query, args):
        self.wrapper.send_pending_begin()  # rows are batched by the INSERT's own form
        return super().executemany(query, args)


class DatabaseWrapper(base.DatabaseWrapper):
    _last_used = float("-inf")
    # Django holds autocommit off for a transaction begun by START TRANSACTION;
    # the session's own autocommit stayed on.
    _started_under_autocommit = False
    # START TRANSACTION is owed, and goes with the next statement.
    begin_pending = False

    def get_new_connection(self, conn_params):
        # A new session is in MySQLdb's default mode until Django sets its own.
        self._started_under_autocommit = self.begin_pending = False
        return super().get_new_connection(conn_params)

    def create_cursor(self, name=None):
        return CursorWrapper(self.connection.cursor(), self)

    def _start_transaction_under_autocommit(self):
        # Logged where the transaction begins, as the other backends log theirs
        # (a test's query count does not depend on where it is sent).
        with debug_transaction(self, _BEGIN):
            self.begin_pending = self._started_under_autocommit = True

    def send_pending_begin(self) -> None:
        """Send the owed START TRANSACTION now, on its own: for a statement that
        cannot carry it (``executemany``, one sent on the driver's connection)."""
        if self.begin_pending:
            self.begin_pending = False
            with self.wrap_database_errors, self.connection.cursor() as cursor:
                cursor.execute(_BEGIN)

    def _commit(self):
        if self.begin_pending:  # nothing was sent: there is nothing to commit
            self.begin_pending = False
            return
        super()._commit()

    def _rollback(self):
        if self.begin_pending:
            self.begin_pending = False
            return
        super()._rollback()

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
