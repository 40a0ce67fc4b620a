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

Statements a transaction owes are sent with its next statement, in the same
round trip (MySQLdb's connections take several statements at once): its
``START TRANSACTION``, and writes whose answer nothing waits for (``defer_write``:
the events of a payment, its invoice's update, the gateway's log row of the
request that paid, where commits are durable). A payment's transaction is a
handful of round trips, and these were three of them. A write that must touch
a number of rows is checked before anything commits: on MariaDB by the server,
in the COMMIT's own round trip (an ``IF ... SIGNAL`` after the write stops the
statements sent after it); on MySQL, which runs no ``IF`` outside a routine, in
a round trip before. A transaction that sent nothing ends without a COMMIT or
ROLLBACK; one that rolls back (or a savepoint rolled back) drops what it owes,
unsent."""

import time

from django.db import DatabaseError, IntegrityError, OperationalError
from django.db.backends.mysql import base
from django.db.backends.utils import debug_transaction

IDLE_BEFORE_HEALTH_CHECK = 1.0  # seconds
_BEGIN = b"START TRANSACTION"


class _Owed:
    """A statement the transaction owes, and the rows it must touch (None: any)."""

    __slots__ = ("rows", "sql")

    def __init__(self, sql: bytes, rows: int | None = None):
        self.sql, self.rows = sql, rows  # as sent: its values escaped by the driver


# MariaDB's own check of the write before it, run by the server: an error stops
# the statements sent after it in the same round trip (its COMMIT among them).
_ER_SIGNAL_EXCEPTION = 1644
_ER_UNKNOWN_SYSTEM_VARIABLE = 1193
_GUARD = (
    "IF ROW_COUNT() <> %d THEN SIGNAL SQLSTATE '45000' "
    "SET MESSAGE_TEXT = 'A write touched other rows than it must.'; END IF"
)


def _guarded(statements: list[_Owed]) -> list[_Owed]:
    """``statements``, each write that must touch a number of rows followed by
    MariaDB's check of it: they can go with the COMMIT, which runs only if each
    write touched its rows."""
    out = []
    for statement in statements:
        out.append(statement)
        if statement.rows is not None:
            out.append(_Owed((_GUARD % statement.rows).encode()))
    return out


def _run_together(cursor, statements: list[_Owed]) -> None:
    """Run ``statements`` in one round trip, on a MySQLdb cursor left at the last
    one's result. One that fails stops the rest and raises; a write that touched
    other rows than it must raises once the others' results are read."""
    try:
        cursor.execute(b";".join(statement.sql for statement in statements))
        for index, statement in enumerate(statements):
            if index:
                cursor.nextset()
            if statement.rows is not None and cursor.rowcount != statement.rows:
                touched = cursor.rowcount
                _read_the_rest(cursor)
                raise DatabaseError(f"A write touched {touched} rows, not {statement.rows}.")
    except base.Database.OperationalError as error:
        if error.args[0] in base.CursorWrapper.codes_for_integrityerror:
            raise IntegrityError(*error.args) from error
        raise


def _read_the_rest(cursor) -> None:
    """The results of the statements sent after a write that failed its check,
    so the session stays in step. Where MariaDB's own check of that write was
    sent after it, its error ended the round trip there: nothing more comes."""
    try:
        while cursor.nextset():
            pass
    except base.Database.OperationalError as error:
        if error.args[0] != _ER_SIGNAL_EXCEPTION:
            raise


def _commits_durably(connection) -> bool:
    """InnoDB syncs its log at each COMMIT (``innodb_flush_log_at_trx_commit`` 1,
    the default) and, where there is a binary log, the server syncs it too
    (``sync_binlog`` 1): otherwise a crash can undo a commit that returned. Read
    on the driver's connection as it opens, so no query count sees it."""
    try:
        connection.query(b"SELECT @@innodb_flush_log_at_trx_commit, @@log_bin, @@sync_binlog")
    except base.Database.OperationalError as error:
        if error.args[0] == _ER_UNKNOWN_SYSTEM_VARIABLE:  # a server without InnoDB
            return False
        raise
    flush, binary_log, sync = connection.store_result().fetch_row()[0]
    return int(flush) == 1 and (int(binary_log) == 0 or int(sync) == 1)


class CursorWrapper(base.CursorWrapper):
    """Django's MySQL cursor, which sends what the transaction owes before its
    statement, in the same round trip."""

    def __init__(self, cursor, wrapper: "DatabaseWrapper"):
        super().__init__(cursor)
        self.wrapper = wrapper

    def execute(self, query, args=None):
        if not self.wrapper.owed:
            return super().execute(query, args)
        statement = self.cursor._mogrify(query, args)  # bytes, as MySQLdb sends it
        owed, self.wrapper.owed = self.wrapper.owed, []
        _run_together(self.cursor, [*owed, _Owed(statement)])
        # What Django logs as the statement run (MySQLdb's record of what it
        # sent): the statement alone, as each owed one was logged when written.
        self.cursor._executed = statement
        return self.cursor.rowcount

    def executemany(self, query, args):
        self.wrapper.send_owed()  # rows are batched by the INSERT's own form
        return super().executemany(query, args)


class DatabaseWrapper(base.DatabaseWrapper):
    _last_used = float("-inf")
    # Django holds autocommit off for a transaction begun by START TRANSACTION;
    # the session's own autocommit stayed on.
    _started_under_autocommit = False
    _mariadb = False
    _durable_commits = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What the transaction owes (START TRANSACTION, deferred writes): sent
        # with its next statement.
        self.owed: list[_Owed] = []

    def get_connection_params(self):
        # Several statements in one round trip (MySQLdb's default): what is owed
        # goes with the next statement.
        return {**super().get_connection_params(), "multi_statements": True}

    def get_new_connection(self, conn_params):
        # A new session is in MySQLdb's default mode until Django sets its own.
        self._started_under_autocommit, self.owed = False, []
        connection = super().get_new_connection(conn_params)
        # From the server's greeting, without the query Django's own property sends.
        self._mariadb = "mariadb" in connection.get_server_info().lower()
        self._durable_commits = _commits_durably(connection)
        return connection

    def create_cursor(self, name=None):
        return CursorWrapper(self.connection.cursor(), self)

    def _start_transaction_under_autocommit(self):
        # Logged where the transaction begins, as the other backends log theirs
        # (a test's query count does not depend on where it is sent).
        with debug_transaction(self, _BEGIN.decode()):
            self.owed = [_Owed(_BEGIN)]
            self._started_under_autocommit = True

    def defer_write(self, sql: str, params, *, rows: int | None = None) -> bool:
        """Owe a write to the transaction: it goes with the next statement, or
        with the COMMIT, and raises there if it fails (one that must touch
        ``rows`` rows is checked before the COMMIT runs). Whether it was
        deferred: outside a transaction it is not, and the caller runs it.
        Defer only where the statements that follow are not under a handler that
        would take the write's failure for their own (an ``except IntegrityError``
        around a savepoint): it is raised by the statement that carries it."""
        if not self.in_atomic_block:
            return False
        self.validate_no_broken_transaction()
        self.ensure_connection()
        with self.wrap_database_errors:
            bound = self.connection.cursor()._mogrify(sql, params)
        if self.queries_logged:  # counted where it is written, as a statement run is
            logged = bound.decode(self.connection.encoding, errors="replace")
            self.queries_log.append({"sql": logged, "time": "0.000"})
        self.owed.append(_Owed(bound, rows))
        return True

    def commits_durably(self) -> bool:
        """Whether a COMMIT is on disk when it returns, as the server was set when
        this session began."""
        return bool(self._durable_commits)

    def send_owed(self) -> None:
        """Send what the transaction owes now, on its own: before a statement that
        cannot carry it (``executemany``, one sent on the driver's connection)."""
        if self.owed:
            owed, self.owed = self.owed, []
            with self.wrap_database_errors, self.connection.cursor() as cursor:
                _run_together(cursor, owed)

    def _commit(self):
        owed, self.owed = self.owed, []
        if not owed:
            return super()._commit()
        # Logged as the other backends log theirs, whatever is sent.
        with debug_transaction(self, "COMMIT"), self.wrap_database_errors:
            if owed[0].sql is _BEGIN and len(owed) == 1:
                return  # nothing was sent: there is nothing to commit
            with self.connection.cursor() as cursor:
                if any(statement.rows is not None for statement in owed):
                    # Checked before anything commits: by MariaDB in the same
                    # round trip, by MySQL (no IF outside a routine) in one before.
                    if self._mariadb:
                        owed = _guarded(owed)
                    else:
                        _run_together(cursor, owed)
                        owed = []
                _run_together(cursor, [*owed, _Owed(b"COMMIT")])

    def _savepoint_rollback(self, sid):
        # What is owed was written after the savepoint (its SAVEPOINT carried what
        # came before): rolled back unsent.
        self.owed = []
        super()._savepoint_rollback(sid)

    def _rollback(self):
        owed, self.owed = self.owed, []
        if owed and owed[0].sql is _BEGIN:
            with debug_transaction(self, "ROLLBACK"):
                return  # nothing of the transaction was sent: nothing to roll back
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
