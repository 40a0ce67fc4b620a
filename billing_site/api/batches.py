"""The keyset batch loop every long read uses.

A long read (a streamed list, a report's lines, a purge) never asks for every
row in one query: the MySQL driver buffers a whole result set, and an OFFSET
walks every skipped row again. It asks for the next ``batch_size`` rows after
the last key it saw instead, so memory stays flat and each query is an index
range scan however far the read has gone."""

from collections.abc import Callable, Iterator
from operator import itemgetter


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
