"""A ``values()`` query compiled once per process and database, then run with new
values: for lookups on a hot path, where building and compiling the queryset
costs more than the database takes to answer it."""

from collections.abc import Callable
from threading import Lock

from django.db import connections, router
from django.db.models import QuerySet


class CompiledOnce:
    """What ``compile(key)`` returns, made once per key (a database alias, a
    statement's shape) for the life of the process: the first caller compiles
    under a lock, every later one only reads it."""

    def __init__(self, compile: Callable):
        self._compile = compile
        self._found: dict = {}
        self._lock = Lock()

    def __call__(self, key):
        found = self._found.get(key)
        if found is None:
            with self._lock:
                found = self._found.get(key)
                if found is None:
                    found = self._found[key] = self._compile(key)
        return found


class CompiledValuesQuery:
    """``build(**placeholders)`` returns the ``values()`` queryset; each keyword is
    a text value (a ``CharField`` lookup) that changes from call to call. The
    queryset is built once with markers in their place, compiled, and each call
    swaps the markers in the parameters for the values given. Rows come out as
    ``values()`` gives them, database converters applied."""

    def __init__(self, build: Callable[..., QuerySet], *names: str):
        self.build, self.names = build, names
        self._compiled = CompiledOnce(self._compile)

    def _marker(self, name: str) -> str:
        return f"\x00{id(self)}:{name}\x00"

    def _compile(self, using: str | None) -> tuple:
        queryset = self.build(**{name: self._marker(name) for name in self.names})
        # Without ``using``, the router's choice when first compiled holds after.
        alias = using or router.db_for_read(queryset.model)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = {}
        for name in self.names:
            positions = [i for i, value in enumerate(params) if value == self._marker(name)]
            # A marker the field changed, or used twice, would bind the wrong value.
            if len(positions) != 1:
                raise ValueError(f"{name} must appear exactly once, unchanged, in {sql}")
            slots[positions[0]] = name
        query = compiler.query
        columns = [*query.extra_select, *query.values_select, *query.annotation_select]
        converters = compiler.get_converters([column[0] for column in compiler.select])
        return alias, sql, tuple(params), slots, query, columns, converters

    def rows(self, *, using: str | None = None, **values) -> list[dict]:
        alias, sql, params, slots, query, columns, converters = self._compiled(using)
        bound = list(params)
        for position, name in slots.items():
            # Text only, as compiled: the field's conversions are not applied again.
            if not isinstance(values[name], str):
                raise TypeError(f"{name} must be text, not {type(values[name]).__name__}")
            bound[position] = values[name]
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, bound)
            rows = cursor.fetchall()
        if converters:
            # Applied through this thread's connection (connections are per thread);
            # the converters themselves read only the backend's settings.
            rows = query.get_compiler(using=alias).apply_converters(rows, converters)
        return [dict(zip(columns, row, strict=True)) for row in rows]
