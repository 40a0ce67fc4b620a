import functools
import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from .models import RequestLog
from .writer import BackgroundWriter, stop_on_exit

logger = logging.getLogger(__name__)


def request_log_write(**fields) -> bool:
    """Log one request's row, as ``REQUEST_LOG_WRITER`` says: handed to this
    process's writer thread, or inserted now. Whether it was handed over or
    stored. A failure is logged, never raised: losing a log row must not fail the
    request it describes."""
    fields.setdefault("timestamp", timezone.now())
    if settings.REQUEST_LOG_WRITER == "background":
        return log_writer.put(fields)
    try:
        request_log_insert([fields])
        return True
    except Exception:
        logger.exception(
            "Could not write the request log row for %s %s (request id %s)",
            fields.get("method"),
            fields.get("endpoint"),
            fields.get("request_id"),
        )
        return False


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


log_writer = stop_on_exit(BackgroundWriter(request_log_insert))


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
    return lambda fields, connection: column.get_db_prep_save(fields.get(name, default), connection)


def request_log_purge(*, older_than_days: int, batch_size: int = 5000, progress=None) -> int:
    """Delete log rows older than ``older_than_days`` in batches, so no single
    statement locks the table for long. Returns how many rows were deleted."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted = 0
    while True:
        ids = list(
            RequestLog.objects.filter(timestamp__lt=cutoff)
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        with transaction.atomic():
            deleted += RequestLog.objects.filter(id__in=ids).delete()[0]
        if progress:
            progress(deleted)
