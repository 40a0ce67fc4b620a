"""A request log row as a line of SQL values, on MySQL and MariaDB: the spool's line
is the row's part of the ``INSERT``, so the writer thread sends a batch of lines as
they are, instead of decoding, converting and escaping each row's values (most of
its CPU a row: bench/README.md).

Every text is a hexadecimal literal (``X'...'``): hex digits whatever the text, so
nothing in it needs escaping, whatever the session's SQL mode. Integers, times and
the duration are written only in the plain forms their columns take as they are.
A row that has anything else (a value of another type, a text that is not UTF-8)
is written as JSON instead, as every row is on SQLite.

A line starts with a signature of the columns it was written for. The writer sends
a line only when a pattern made of those forms matches it whole, for today's
columns: a damaged line, or one written before the table's columns changed (the
web processes are stopped for such a migration, and store their rows as they
stop), is stored as a row that says it could not be read. A process of an earlier
release reads JSON lines only: one release's processes share a spool's folder."""

import datetime
import functools
import hashlib
import re

from django.db import connection, models
from django.utils import timezone

from .models import RequestLog
from .spool import json_row


def log_columns() -> list:
    """The ``logs`` columns a row's ``INSERT`` names, in its order."""
    return [field for field in RequestLog._meta.concrete_fields if not field.primary_key]


def insert_head() -> str:
    """``INSERT INTO logs (its columns) VALUES `` for the connection's database."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column.column) for column in log_columns())
    # Names from the model, quoted.
    return f"INSERT INTO {quote(RequestLog._meta.db_table)} ({names}) VALUES "  # noqa: S608


class _NotPlain(ValueError):
    """A value with no plain SQL form here: the row goes as JSON."""


_TIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?"
_NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"
_PLAIN_TIME = re.compile(_TIME)
_PLAIN_NUMBER = re.compile(_NUMBER)
_VALUE = rf"(?:X'[0-9a-f]*+'|NULL|{_NUMBER}|'{_TIME}')"
_PROBE_TIME = datetime.datetime(2000, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC)


def _text(value, column) -> str:
    if type(value) is str:
        return f"X'{value.encode().hex()}'"  # a lone surrogate raises: JSON then
    if value is None and column.null:
        return "NULL"
    raise _NotPlain(column.name)


def _integer(value, column) -> str:
    if type(value) is int:
        return str(value)
    if value is None and column.null:
        return "NULL"
    raise _NotPlain(column.name)


def _converted(value, column, plain: re.Pattern, quote: str = "") -> str:
    """A value through its field's conversion, in a plain form or refused."""
    stored = column.get_db_prep_save(value, connection)
    if stored is None and column.null:
        return "NULL"
    if plain.fullmatch(text := str(stored)):
        return f"{quote}{text}{quote}"
    raise _NotPlain(column.name)


def _writer(column):
    """How a column's value is written from a row's fields (the middleware's
    values: texts, integers, an aware time, a duration's text, an address)."""
    name, default = column.name, column.get_default()
    if column.is_relation:  # the user, or its id
        attname = column.attname

        def user(fields):
            given = getattr(fields[name], "pk", None) if name in fields else fields.get(attname)
            return _integer(given, column)

        return user
    if isinstance(column, models.DateTimeField):
        # An aware UTC time is written as its digits when the field would write
        # the same (the connection keeps UTC); any other through the field.
        utc = column.get_db_prep_save(_PROBE_TIME, connection) == str(
            _PROBE_TIME.replace(tzinfo=None)
        )

        def time(fields):
            given = fields.get(name, default)
            if utc and type(given) is datetime.datetime and given.tzinfo is datetime.UTC:
                return f"'{given.replace(tzinfo=None)}'"
            return _converted(given, column, _PLAIN_TIME, "'")

        return time
    if isinstance(column, models.DecimalField):

        def decimal(fields):
            given = fields.get(name, default)
            if type(given) is str and _PLAIN_NUMBER.fullmatch(given):
                return given
            return _converted(given, column, _PLAIN_NUMBER)

        return decimal
    if isinstance(column, models.GenericIPAddressField):

        def address(fields):
            given = fields.get(name, default)
            if type(given) is str and given and ":" not in given:  # IPv4, kept as given
                return _text(given, column)
            stored = column.get_db_prep_save(given, connection)  # IPv6 compressed
            return _text(stored, column)

        return address
    if isinstance(column, models.IntegerField):
        return lambda fields: _integer(fields.get(name, default), column)
    if isinstance(column, models.CharField | models.TextField):
        return lambda fields: _text(fields.get(name, default), column)
    raise TypeError(f"The request log's {column.name} column has no plain SQL form.")


class _Format:
    def __init__(self):
        self.columns = log_columns()
        self.head = insert_head().encode()
        self.signature = hashlib.sha256(self.head).hexdigest()[:12].encode()
        self.writers = [_writer(column) for column in self.columns]
        values = ",".join([_VALUE] * len(self.columns))
        self.pattern = re.compile(re.escape(self.signature) + rf"\({values}\)".encode())


@functools.cache
def _format(vendor: str) -> _Format | None:
    return _Format() if vendor == "mysql" else None


def values_line(fields: dict) -> bytes | None:
    """The row's line of SQL values, or None where rows go as JSON."""
    form = _format(connection.vendor)
    if form is None:
        return None
    try:
        values = ",".join([write(fields) for write in form.writers])
    except Exception:  # no plain form (or a field refused it): the writer judges the JSON
        return None
    return b"%s(%s)\n" % (form.signature, values.encode())


def stored_values(line: bytes) -> bytes | None:
    """A spool line's values, ``(...)``, when it is a whole line of this table's
    columns in the forms above; else None."""
    form = _format(connection.vendor)
    if form is None or not form.pattern.fullmatch(line):
        return None
    return line[len(form.signature) :]


def values_statement(values: list[bytes]) -> bytes:
    """One ``INSERT`` of rows' values (each checked by ``stored_values``)."""
    return _format(connection.vendor).head + b",".join(values)


def fields_of(values: bytes) -> dict:
    """The fields of one row's values, for the reduced row stored when the
    database refuses it (an integer out of its column's range); values that do
    not read back (a damaged line's) give the row that says so."""
    try:
        return _fields(values)
    except ValueError:
        return json_row(values)


def _fields(values: bytes) -> dict:
    form = _format(connection.vendor)
    fields = {}
    for column, text in zip(form.columns, values[1:-1].decode().split(","), strict=True):
        if text == "NULL":
            value = None
        elif text.startswith("X'"):
            value = bytes.fromhex(text[2:-1]).decode(errors="replace")
        elif text.startswith("'"):  # a time, in the connection's zone
            value = timezone.make_aware(
                datetime.datetime.fromisoformat(text[1:-1]), connection.timezone
            )
        elif isinstance(column, models.DecimalField):
            value = text
        else:
            value = int(text)
        fields[column.attname] = value
    return fields
