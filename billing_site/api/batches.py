"""The keyset batch loop every long read uses.

A long read (a streamed list, a report's lines, a purge) never asks for every
row in one query: the MySQL driver buffers a whole result set, and an OFFSET
walks every skipped row again. It asks for the next ``batch_size`` rows after
the last key it saw instead, so memory stays flat and each query is an index
range scan however far the read has gone."""

import time
from collections.abc import Callable, Iterator, Sequence
from operator import attrgetter, itemgetter
from typing import TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Q
from django.db.models.query import ValuesListIterable

T = TypeVar("T")


def _key_of(sample) -> Callable:
    """How to read the key (``pk``, first) of a row of ``values()``,
    ``values_list()`` or ``values_list(flat=True)``."""
    if isinstance(sample, dict):
        return itemgetter("pk")
    if isinstance(sample, tuple):
        return itemgetter(0)
    return lambda value: value


def keyset_batches(queryset, *, batch_size: int, key: str = "pk") -> Iterator[list]:
    """Lists of at most ``batch_size`` rows of ``queryset`` by ascending ``key``,
    until none are left. ``queryset`` is a ``values()`` / ``values_list()`` query
    whose rows carry the key first (``values_list``) or as ``"pk"`` (``values``);
    its own ordering is replaced by the key's."""
    queryset = queryset.order_by(key)
    last = None
    read_key = None
    while True:
        page = queryset if last is None else queryset.filter(**{f"{key}__gt": last})
        batch = list(page[:batch_size])
        if not batch:
            return
        yield batch
        if len(batch) < batch_size:
            return
        read_key = read_key or _key_of(batch[0])
        last = read_key(batch[-1])


def keyset_rows(queryset, *, batch_size: int, key: str = "pk") -> Iterator:
    """Every row of ``queryset`` by ascending key, read with ``keyset_batches``."""
    for batch in keyset_batches(queryset, batch_size=batch_size, key=key):
        yield from batch


def _ordering(queryset) -> list[tuple[str, bool]]:
    """``(field, descending)`` of the queryset's ordering (its own, else its
    model's), ending in the primary key so that every row has one place."""
    names = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    terms = []
    for name in names:
        if not isinstance(name, str):
            raise ValueError(f"Cannot read rows in batches ordered by {name!r}.")
        field = name.lstrip("-")
        terms.append(("pk" if field == "id" else field, name.startswith("-")))
    if not any(field == "pk" for field, _ in terms):
        terms.append(("pk", False))
    return terms


def _after(terms: list[tuple[str, bool]], values: list) -> Q:
    """The rows that come after a row with these ``values`` of ``terms`` (NULL
    sorts first ascending, last descending: ``ordered_batches`` says so to the
    database)."""
    (field, descending), *rest = terms
    value = values[0]
    if value is None:
        beyond = Q(pk__in=[]) if descending else Q(**{f"{field}__isnull": False})
        same = Q(**{f"{field}__isnull": True})
    else:
        beyond = Q(**{f"{field}__{'lt' if descending else 'gt'}": value})
        if descending:
            beyond |= Q(**{f"{field}__isnull": True})
        same = Q(**{field: value})
    if not rest:
        return beyond
    return beyond | (same & _after(rest, values[1:]))


def ordered_batches(queryset, *, batch_size: int) -> Iterator[list]:
    """Lists of at most ``batch_size`` objects of ``queryset`` in its own order
    (any fields, the primary key added to break ties), read with a keyset on
    that order: what ``keyset_batches`` does for the key alone."""
    terms = _ordering(queryset)
    queryset = queryset.order_by(
        *(
            F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_first=True)
            for field, descending in terms
        )
    )
    readers = [attrgetter(field.replace("__", ".")) for field, _ in terms]
    condition = None
    while True:
        page = queryset if condition is None else queryset.filter(condition)
        batch = list(page[:batch_size])
        if not batch:
            return
        yield batch
        if len(batch) < batch_size:
            return
        condition = _after(terms, [read(batch[-1]) for read in readers])


# The key's place in a compiled keyset query: a number no query has as a value.
_KEY_MARKER = 8_070_450_532_247_928_831


class _CompiledKeyset:
    """A ``values_list()`` query's SQL for its first batch and for the batch after
    a key, compiled once (its columns in the order ``values_list()`` names them)."""

    def __init__(self, queryset, *, batch_size: int, key: str):
        if queryset._iterable_class is not ValuesListIterable:
            raise ValueError("compiled_keyset_batches reads values_list() rows (tuples).")
        queryset = queryset.order_by(key)
        self.alias = queryset.db
        self.first = self._compile(queryset[:batch_size])
        sql, params = self._compile(queryset.filter(**{f"{key}__gt": _KEY_MARKER})[:batch_size])
        places = [i for i, value in enumerate(params) if value == _KEY_MARKER]
        if len(places) != 1:
            raise ValueError(f"The key must appear once in {sql}")
        self.after, self.key_place = (sql, params), places[0]

    def _compile(self, queryset) -> tuple[str, list]:
        sql, params = queryset.query.get_compiler(using=self.alias).as_sql()
        return sql, list(params)

    def sql_after(self, key) -> tuple[str, list]:
        sql, params = self.after
        params = list(params)
        params[self.key_place] = key
        return sql, params


class _Converters:
    """While in effect: MySQLdb connection ``db``'s converters with ``overrides``
    (by field type), for the rows of a query being read."""

    def __init__(self, db, overrides: dict | None):
        self.db = db
        self.converters = {**db.converter, **overrides} if overrides else None

    def __enter__(self):
        if self.converters is not None:
            self.saved, self.db.converter = self.db.converter, self.converters

    def __exit__(self, *exc):
        if self.converters is not None:
            self.db.converter = self.saved


def compiled_keyset_batches(
    queryset,
    *,
    batch_size: int,
    key: str = "pk",
    prepare: Callable[[Sequence[tuple]], T] = lambda batch: None,
    mysql_converters: dict | None = None,
) -> Iterator[tuple[Sequence[tuple], T]]:
    """``keyset_batches`` for long reads of many rows: each batch of a
    ``values_list()`` query (the key first) with what ``prepare`` made of it,
    ``(rows, prepare(rows))``.

    The query is compiled once, and each batch runs its SQL with the last key
    bound: the rows are the database driver's own tuples, without Django's
    converters (``mysql_converters``: MySQLdb converters by field type over the
    connection's, for these rows only).

    On MySQL/MariaDB the database is kept reading: a batch's answer is taken off
    the connection as it arrives (the driver's buffer, unconverted) and the next
    batch's query, after the last key read from it, is sent before the batch is
    handed over; a batch's rows are made into tuples, and ``prepare`` runs, while
    the database reads the next ones. A query of ``prepare``'s own (through
    Django's cursors) first takes that answer off the connection. Until the
    caller asks for the next batch, the connection is busy with that query and
    takes no other."""
    try:
        compiled = _CompiledKeyset(queryset, batch_size=batch_size, key=key)
    except EmptyResultSet:  # a condition no row meets (``pk__in=[]``): no batch
        return
    connection = connections[compiled.alias]
    if connection.vendor != "mysql":
        with connection.cursor() as cursor:
            cursor.execute(*compiled.first)
            while batch := cursor.fetchall():
                yield batch, prepare(batch)
                if len(batch) < batch_size:
                    return
                cursor.execute(*compiled.sql_after(batch[-1][0]))
        return
    with connection.cursor():  # through Django: connects, or checks the connection first
        reader = _ReadAhead(connection, compiled, batch_size, mysql_converters)
    try:
        answered = reader.first()
        while answered is not None and answered.num_rows():
            batch = answered.fetch_row(0)  # made into tuples while the next is read
            with connection.execute_wrapper(reader.free_first):
                prepared = prepare(batch)
            answered = reader.following()
            yield batch, prepared
            batch = prepared = None  # let go of them before the next rows come
    finally:
        reader.drop_pending()


class _ReadAhead:
    """One query in flight on a MySQLdb connection at a time, its answer taken
    off the connection (stored, unconverted) before the connection is used again."""

    def __init__(self, connection, compiled: _CompiledKeyset, batch_size: int, converters):
        self.connection, self.compiled, self.batch_size = connection, compiled, batch_size
        self.db = connection.connection
        self.converters = _Converters(self.db, converters)
        self.pending = False  # a query is in flight
        self.taken = None  # the answer to it, once off the connection

    def first(self):
        """The first batch's answer, with the second batch's query sent."""
        _send(self.connection, self.db, *self.compiled.first)
        self.pending = True
        return self._ask_after(self._answer())

    def following(self):
        """The answer to the query in flight (None when none is), with the query
        after it sent."""
        self._take()
        answered, self.taken = self.taken, None
        return None if answered is None else self._ask_after(answered)

    def free_first(self, execute, sql, params, many, context):
        """An execute wrapper: the query in flight is answered before another runs."""
        self._take()
        return execute(sql, params, many, context)

    def drop_pending(self) -> None:
        """The reader stopped: an answer still on its way is read and dropped."""
        if self.pending:
            try:
                self._answer()
            except Exception:
                self.connection.close()

    def _take(self) -> None:
        if self.pending:
            self.taken = self._answer()

    def _answer(self):
        self.pending = False  # read once, whatever comes of it
        with self.connection.wrap_database_errors, self.converters:
            self.db.read_query_result()
            return self.db.store_result()

    def _ask_after(self, answered):
        """``answered``, with the next batch's query sent when it was a full batch."""
        if answered.num_rows() == self.batch_size:
            answered.data_seek(self.batch_size - 1)
            last_key = answered.fetch_row(1)[0][0]
            answered.data_seek(0)
            _send(self.connection, self.db, *self.compiled.sql_after(last_key))
            self.pending = True
        return answered


def _send(connection, db, sql: str, params: list) -> None:
    """Send a query on MySQLdb connection ``db`` without waiting for its answer,
    counted in ``connection.queries`` as Django's cursors count theirs. It goes
    past Django's cursors: what the transaction owes goes first
    (billing_site.db.mysql)."""
    getattr(connection, "send_owed", lambda: None)()
    query = db.cursor().mogrify(sql, params)
    started = time.monotonic()
    with connection.wrap_database_errors:
        db.send_query(query.encode(db.encoding))
    if connection.queries_logged:
        connection.queries_log.append({"sql": query, "time": f"{time.monotonic() - started:.3f}"})
