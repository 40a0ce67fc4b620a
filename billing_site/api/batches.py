"""The keyset batch loop every long read uses.

A long read (a streamed list, a report's lines, a purge) never asks for every
row in one query: the MySQL driver buffers a whole result set, and an OFFSET
walks every skipped row again. It asks for the next ``batch_size`` rows after
the last key it saw instead, so memory stays flat and each query is an index
range scan however far the read has gone."""

from collections.abc import Callable, Iterator
from operator import attrgetter, itemgetter

from django.db.models import F, Q


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
