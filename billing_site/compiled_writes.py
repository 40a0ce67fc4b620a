"""A model's INSERT and UPDATE statements written once per process, database and
shape, then run with a row's values: for the writes on the gateway's path, where
``save(update_fields=...)`` took about three times the CPU of the same statement
written once (bench/README.md). Each value goes through its field's own ``pre_save``
(``auto_now`` and ``auto_now_add`` stamps) and ``get_db_prep_save``, as
``save()`` does. What they leave out is ``save()``'s signals: a model written
here has no ``pre_save`` or ``post_save`` receiver (a test keeps it so).

``deferred=True`` lets a database that can (MariaDB's backend, ``defer_write``)
send the statement with the transaction's next one, or with its COMMIT: a
round trip less, for a write whose answer the caller does not wait for. A
failure is then raised by that statement, in the same transaction."""

from collections.abc import Sequence

from django.db import DatabaseError, connections, router
from django.db.models import Model

from .compiled_query import CompiledOnce

# More rows than this go through ``bulk_create`` (which batches them within the
# database's limits): a statement is kept for each number of rows up to it.
MOST_ROWS_WRITTEN = 8


def _plain(fields) -> list:
    fields = list(fields)
    for field in fields:
        # A field that wraps its value in SQL of its own (GIS) needs the ORM's compiler.
        if hasattr(field, "get_placeholder"):
            raise ValueError(f"{field} has a placeholder of its own")
    return fields


@CompiledOnce
def _insert_statement(key: tuple) -> tuple:
    alias, model, generated, count = key
    meta = model._meta
    fields = _plain(
        field for field in meta.concrete_fields if not (generated and field.primary_key)
    )
    quote = connections[alias].ops.quote_name
    values = f"({', '.join(['%s'] * len(fields))})"
    return (
        # Names from the model, quoted; every value a parameter.
        f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES {', '.join([values] * count)}",
        fields,
    )


@CompiledOnce
def _update_statement(key: tuple) -> tuple:
    alias, model, names = key
    meta = model._meta
    chosen = _plain(meta.get_field(name) for name in names)
    quote = connections[alias].ops.quote_name
    return (
        f"UPDATE {quote(meta.db_table)} "  # noqa: S608
        f"SET {', '.join(f'{quote(field.column)} = %s' for field in chosen)} "
        f"WHERE {quote(meta.pk.column)} = %s",
        chosen,
    )


def insert(rows: Sequence[Model], *, deferred: bool = False) -> None:
    """Insert ``rows`` (one model's, new) in one statement. A single row without
    its primary key gets the one the database gave it (an auto-increment id),
    and is never deferred."""
    model, alias = type(rows[0]), router.db_for_write(type(rows[0]))
    connection, meta = connections[alias], model._meta
    generated = rows[0].pk is None
    if generated and (len(rows) != 1 or meta.auto_field is None):
        raise ValueError("Only a single row is given its id by the database.")
    if len(rows) > MOST_ROWS_WRITTEN:
        model._base_manager.using(alias).bulk_create(rows)
        return
    sql, fields = _insert_statement((alias, model, generated, len(rows)))
    params = [
        field.get_db_prep_save(field.pre_save(row, True), connection)
        for row in rows
        for field in fields
    ]
    if not (deferred and not generated and _deferred(connection, sql, params)):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if generated:
                rows[0].pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
    for row in rows:
        row._state.adding, row._state.db = False, alias


def update(row: Model, fields: Sequence[str], *, deferred: bool = False) -> None:
    """Save ``fields`` of ``row`` (the names ``save(update_fields=...)`` takes), by
    its primary key; an ``auto_now`` field among them is stamped now."""
    model, alias = type(row), router.db_for_write(type(row))
    connection, meta = connections[alias], model._meta
    sql, chosen = _update_statement((alias, model, tuple(fields)))
    params = [field.get_db_prep_save(field.pre_save(row, False), connection) for field in chosen]
    params.append(meta.pk.get_db_prep_value(row.pk, connection))
    if deferred and _deferred(connection, sql, params, rows=1):
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != 1:  # as save(update_fields=...) says of a row gone
            raise DatabaseError("Save with update_fields did not affect any rows.")


def _deferred(connection, sql: str, params: list, rows: int | None = None) -> bool:
    defer = getattr(connection, "defer_write", None)
    return defer is not None and defer(sql, params, rows=rows)
