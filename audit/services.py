import atexit
import contextlib
import datetime
import decimal
import functools
import logging
import re
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection, models, transaction
from django.dispatch import receiver
from django.utils import timezone

from billing_site.api.batches import keyset_batches
from billing_site.api.middleware import is_connection_failure

from .models import RequestLog, SpoolPosition
from .spool import Spool, spool_files

logger = logging.getLogger(__name__)


class LogSettings(NamedTuple):
    body_cap: int
    spooled: bool  # REQUEST_LOG_WRITER is "background"


@functools.cache
def log_settings() -> LogSettings:
    """The request log's settings, read once: each read through ``settings`` goes
    through its lazy proxy, and the log reads them several times a request."""
    return LogSettings(
        body_cap=settings.REQUEST_LOG_BODY_CAP,
        spooled=settings.REQUEST_LOG_WRITER == "background",
    )


@receiver(setting_changed)
def _forget_log_settings(*, setting, **kwargs):
    if setting in ("REQUEST_LOG_BODY_CAP", "REQUEST_LOG_WRITER"):
        log_settings.cache_clear()


def _row_fields(fields: dict) -> dict:
    """A request's fields as the row stores them: its time, its user's id."""
    fields.setdefault("timestamp", timezone.now())
    user = fields.pop("user", None)
    if user is not None:
        fields["user_id"] = user.pk
    return fields


def request_log_write(*, durable: bool = False, **fields) -> bool:
    """Log one request's row, as ``REQUEST_LOG_WRITER`` says: appended to this
    process's spool (synced to disk when ``durable``), or inserted now. Whether it
    was kept. A failure is logged, never raised: the log must not fail the request
    it describes; a row the spool cannot take is inserted at once instead."""
    fields = _row_fields(fields)
    if log_settings().spooled:
        try:
            spool().append(fields, durable=durable)
            return True
        except OSError:
            logger.exception("The request log spool could not take a row; inserting it now")
    try:
        request_log_store([fields])
        return True
    except Exception:
        logger.exception(
            "Could not write the request log row for %s %s (request id %s)",
            fields.get("method"),
            fields.get("endpoint"),
            fields.get("request_id"),
        )
        return False


def request_log_can_be_owed() -> bool:
    """Whether a row can be owed to the transaction open now (``request_log_owed``):
    the outermost one (an outer transaction might commit after the answer, or
    never), on a database whose backend defers writes to the COMMIT and whose
    commits are on disk when they return."""
    return (
        hasattr(connection, "defer_write")
        and len(connection.atomic_blocks) == 1
        and connection.commits_durably()
    )


# The longest value each column of few characters takes: a longer one would be
# refused by the database, and with it the transaction it was written in.
_LIMITS = {"endpoint": 500, "method": 10, "request_id": 64, "client_address": 39}
# What the client sent, in ASCII: text a table in another character set than
# utf8mb4 could refuse is not owed. The answer is made of the ledger's stored
# values, which the ``logs`` table, made by the same migrations, takes.
_SENT = ("endpoint", "request_body", "query_string", "request_id")


def request_log_owed(**fields) -> bool:
    """Owe one request's row to the transaction open now, which sends it with its
    COMMIT: stored by the commit that stores what the request did. Whether it
    was owed: a row the database might refuse is not, since it would fail the
    commit; the caller writes it as any other. (The transaction then also waits
    for any lock held on ``logs``.)"""
    if any(len(fields.get(name) or "") > most for name, most in _LIMITS.items()):
        return False
    if not all(fields.get(name, "").isascii() for name in _SENT):
        return False
    fields = _row_fields(fields)
    sql, columns, _ = _insert_statement(connection.vendor)
    return connection.defer_write(sql, [value(fields, connection) for value in columns])


def request_log_store(rows: list[dict]) -> None:
    """Insert rows as they are. A row the database refuses (a value it cannot
    store) is stored reduced: its place, method, status and request id in ASCII,
    and why. A database that cannot be used raises: the rows wait."""
    try:
        request_log_insert(rows)  # several rows go in a transaction of their own
        return
    except Exception as error:
        if is_connection_failure(error):
            raise
    for row in rows:  # one by one, so a refused row takes no other with it
        try:
            with transaction.atomic():
                request_log_insert([row])
            continue
        except Exception as error:
            if is_connection_failure(error):
                raise
            refused = error
        try:
            with transaction.atomic():
                request_log_insert([_reduced(row, refused)])
            logger.error(
                "Request log row of request %s stored reduced: %s", row.get("request_id"), refused
            )
        except Exception as error:
            if is_connection_failure(error):
                raise
            # Not even the reduced row: said here, so the rest still goes in.
            logger.error("Request log row dropped (%r): %s", _reduced(row, refused), error)


_REDUCED_FIELDS = ("timestamp", "duration_ms", "user_id")


def _ascii(value, length: int) -> str:
    return str(value).encode("ascii", "backslashreplace").decode()[:length]


def _reduced(row: dict, error: Exception) -> dict:
    note = f"<not stored as sent: the database refused the row ({type(error).__name__})>"
    reduced = {name: row[name] for name in _REDUCED_FIELDS if name in row}
    reduced.setdefault("timestamp", timezone.now())
    status = row.get("status_code")
    return {
        **reduced,
        "status_code": status if isinstance(status, int) and 0 <= status <= 999 else 0,
        "endpoint": _ascii(row.get("endpoint", ""), 500),
        "method": _ascii(row.get("method", ""), 10),
        "request_id": _ascii(row.get("request_id", ""), 64),
        "request_body": note,
        "response_body": note,
    }


class _SpoolStore:
    """Where the spool puts its rows: the ``logs`` table, each batch in one
    transaction with the file position it reached."""

    @staticmethod
    def batch(segment: str, rows: list[dict], end: int) -> None:
        with transaction.atomic():
            request_log_store(rows)
            if not SpoolPosition.objects.filter(segment=segment).update(offset=end):
                SpoolPosition.objects.create(segment=segment, offset=end)

    @staticmethod
    def position(segment: str) -> int:
        row = SpoolPosition.objects.filter(segment=segment).values_list("offset", flat=True)
        return row.first() or 0

    @staticmethod
    def forget(segment: str) -> None:
        SpoolPosition.objects.filter(segment=segment).delete()

    @staticmethod
    def reset() -> None:
        """After a failure: the next attempt gets a fresh connection."""
        with contextlib.suppress(Exception):
            connection.close()


@functools.cache
def spool() -> Spool:
    """This process's spool (one per process; a forked worker's starts afresh)."""
    log_spool = Spool(
        settings.REQUEST_LOG_SPOOL_DIR,
        _SpoolStore(),
        max_bytes=settings.REQUEST_LOG_SPOOL_MAX_BYTES,
    )
    atexit.register(log_spool.flush)  # a worker's normal end stores what it holds
    return log_spool


def request_log_insert(rows: list[dict]) -> None:
    """Insert log rows (``RequestLog`` fields) with one statement, all or none."""
    sql, columns, names = _insert_statement(connection.vendor)
    for fields in rows:
        if not names.issuperset(fields):
            raise TypeError(f"Not request log fields: {', '.join(sorted(set(fields) - names))}")
    values = [[value(fields, connection) for value in columns] for fields in rows]
    with connection.cursor() as cursor:
        if len(values) == 1:
            cursor.execute(sql, values[0])
        else:
            with transaction.atomic():
                cursor.executemany(sql, values)


@functools.cache
def _insert_statement(vendor: str) -> tuple[str, list, set[str]]:
    """The log row's INSERT, written once a process: on every request, building
    it through the ORM costs more than running it."""
    columns = [field for field in RequestLog._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    names = ", ".join(quote(column.column) for column in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    return (
        # Names from the model, quoted; values go as parameters.
        f"INSERT INTO {quote(RequestLog._meta.db_table)} ({names}) VALUES ({placeholders})",  # noqa: S608
        [_column_value(column) for column in columns],
        {name for column in columns for name in (column.name, column.attname)},
    )


def _column_value(column):
    """How a column's value is read from a row's fields, without a model instance
    (a writer thread makes thousands a second): text and integers as given, which
    is what their fields hand the database; times, addresses and decimals through
    their field's conversion; the user as its primary key."""
    name, default = column.name, column.get_default()
    if column.is_relation:  # the user, or its id
        return lambda fields, connection: (
            getattr(fields[name], "pk", None) if name in fields else fields.get(column.attname)
        )
    if isinstance(column, models.CharField | models.TextField | models.IntegerField):
        return lambda fields, connection: fields.get(name, default)
    convert = column.get_db_prep_save
    as_stored = _as_stored(column)
    if as_stored is None:
        return lambda fields, connection: convert(fields.get(name, default), connection)

    def value(fields, connection):
        given = fields.get(name, default)
        stored = as_stored(given) if type(given) is str else None
        return convert(given, connection) if stored is None else stored

    return value


# A spooled row's values come back as the text its JSON wrote (str() of each).
# Most are, or make at once, what their field would hand the database: those skip
# the field's conversion (tests hold them to it); any other goes through it. The
# writer thread stores every row of a busy worker.
_UTC_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{6})?\+00:00")
_DURATION = re.compile(r"-?(?:0|[1-9]\d{0,8})\.\d{3}")
_PROBE_TIME = datetime.datetime(2000, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC)


def _as_stored(column):
    if isinstance(column, models.DateTimeField):
        # The database's form of a UTC time: the same text, naive (unless the
        # database keeps another time zone: then the field converts it).
        naive = str(_PROBE_TIME.replace(tzinfo=None))
        if column.get_db_prep_save(_PROBE_TIME, connection) != naive:
            return None
        return lambda text: text[:-6] if _UTC_TIME.fullmatch(text) else None
    if isinstance(column, models.DecimalField) and column.decimal_places == 3:
        return lambda text: decimal.Decimal(text) if _DURATION.fullmatch(text) else None
    if isinstance(column, models.GenericIPAddressField):
        # Only IPv6 addresses are rewritten by the field (compressed, unpacked).
        return lambda text: text if text and ":" not in text else None
    return None


def request_logs_older_than(*, days: int):
    """The log rows older than ``days`` days (0: every row written until now)."""
    return RequestLog.objects.filter(timestamp__lt=timezone.now() - timedelta(days=days))


def request_log_purge(*, older_than_days: int, batch_size: int = 5000, progress=None) -> int:
    """Delete log rows older than ``older_than_days`` in batches, so no single
    statement locks the table for long. Returns how many rows were deleted."""
    deleted = 0
    old_ids = request_logs_older_than(days=older_than_days).values_list("id", flat=True)
    for ids in keyset_batches(old_ids, batch_size=batch_size, key="id"):
        with transaction.atomic():
            deleted += RequestLog.objects.filter(id__in=ids).delete()[0]
        if progress:
            progress(deleted)
    return deleted


def spool_backlog() -> list[tuple[str, int, int]]:
    """(name, bytes, bytes not yet stored) of each file in the spool's folder: the
    rows of every process of this machine, stopped ones' included; one query."""
    files = spool_files(settings.REQUEST_LOG_SPOOL_DIR)
    if not files:
        return []
    stored = dict(
        SpoolPosition.objects.filter(segment__in=[name for name, _ in files]).values_list(
            "segment", "offset"
        )
    )
    return [(name, size, size - stored.get(name, 0)) for name, size in files]
