"""Queries compiled once per process and database, then run with new values: for
reads on a hot path, where building and compiling the queryset costs more than
the database takes to answer it. ``CompiledValuesQuery`` gives ``values()``
rows, ``CompiledRowsQuery`` model instances; ``CompiledOnce`` keeps what any of
them (and ``compiled_writes``) compiled."""

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


class _CompiledQuery:
    """``build(**placeholders)`` returns the queryset, each keyword a value that
    changes from call to call: built once with markers in their place, compiled
    once per database, and each call binds the values given where the markers
    were. ``names`` are text values (a ``CharField`` lookup); ``markers`` gives
    a marker of another type for a name (an id no row has). A value must be of
    its marker's type: it is bound as given, the field's conversions are not
    applied again."""

    def __init__(self, build: Callable[..., QuerySet], *names: str, **markers):
        self.build = build
        self.markers = {name: f"\x00{id(self)}:{name}\x00" for name in names} | markers
        self._compiled = CompiledOnce(self._compile)

    def _compile(self, using: str | None) -> tuple:
        queryset = self.build(**self.markers)
        if using is None:
            # The router's choice when first compiled holds after; a locking
            # read goes to the database the rows are written to.
            route = router.db_for_write if queryset.query.select_for_update else router.db_for_read
            using = route(queryset.model)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = {}
        for name, marker in self.markers.items():
            positions = [i for i, value in enumerate(params) if value == marker]
            # A marker the field changed, or used twice, would bind the wrong value.
            if len(positions) != 1:
                raise ValueError(f"{name} must appear exactly once, unchanged, in {sql}")
            slots[positions[0]] = name
        converters = compiler.get_converters([column[0] for column in compiler.select])
        return using, sql, tuple(params), slots, compiler, converters, self._shape(compiler)

    def _shape(self, compiler) -> tuple:
        """What a subclass needs, once, to make its results from the rows."""
        raise NotImplementedError

    def _execute(self, using: str | None, values: dict) -> tuple:
        alias, sql, params, slots, compiler, converters, shape = self._compiled(using)
        bound = list(params)
        for position, name in slots.items():
            marker, value = self.markers[name], values[name]
            if not isinstance(value, type(marker)):
                kind = "text" if isinstance(marker, str) else type(marker).__name__
                raise TypeError(f"{name} must be {kind}, not {type(value).__name__}")
            bound[position] = value
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, bound)
            rows = cursor.fetchall()
        if converters:
            # Applied through this thread's connection (connections are per thread);
            # the converters themselves read only the backend's settings.
            rows = compiler.query.get_compiler(using=alias).apply_converters(rows, converters)
        return alias, shape, rows


class CompiledValuesQuery(_CompiledQuery):
    """A ``values()`` queryset: rows come out as it gives them, database
    converters applied."""

    def _shape(self, compiler) -> tuple:
        query = compiler.query
        if query.selected:  # the order values() named them in, as ValuesIterable reads it
            return tuple(query.selected)
        return (*query.extra_select, *query.values_select, *query.annotation_select)

    def rows(self, *, using: str | None = None, **values) -> list[dict]:
        _, columns, rows = self._execute(using, values)
        return [dict(zip(columns, row, strict=True)) for row in rows]


class CompiledRowsQuery(_CompiledQuery):
    """A queryset of one model's instances (no ``select_related``): made from
    each row as the queryset makes them, its annotations set on them. For a read
    on every call of a hot path, such as a row locked with ``select_for_update()``."""

    def _shape(self, compiler) -> tuple:
        info = compiler.klass_info
        if info.get("related_klass_infos"):  # its related rows would be left unread
            raise ValueError("A compiled query makes no select_related() instances.")
        fields = info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in compiler.select[start:end]]
        return info["model"], start, end, names, tuple(compiler.annotation_col_map.items())

    def rows(self, *, using: str | None = None, **values) -> list:
        alias, (model, start, end, names, annotations), rows = self._execute(using, values)
        made = []
        for row in rows:
            instance = model.from_db(alias, names, row[start:end])
            for name, position in annotations:
                setattr(instance, name, row[position])
            made.append(instance)
        return made
