import pytest

from billing_site.api import local_cache
from billing_site.api.local_cache import LocalCache


@pytest.fixture
def clock(monkeypatch):
    """``time.monotonic`` as the cache reads it; ``clock[0] += seconds`` moves it."""
    now = [1000.0]
    monkeypatch.setattr(local_cache.time, "monotonic", lambda: now[0])
    return now


def test_an_entry_lives_its_seconds(clock):
    cache = LocalCache()
    cache.set("key", "value", 2)
    clock[0] += 1.9
    assert cache.get("key") == "value"
    clock[0] += 0.1
    assert cache.get("key") is None
    assert cache.get("key", "default") == "default"


def test_an_entry_without_seconds_lives_until_cleared(clock):
    cache = LocalCache()
    cache.set("key", "value", None)
    clock[0] += 10**9
    assert cache.get("key") == "value"
    cache.clear()
    assert cache.get("key") is None


def test_nothing_is_kept_for_no_time(clock):
    cache = LocalCache()
    cache.set("zero", "value", 0)
    cache.set("negative", "value", -1)
    assert len(cache) == 0 and cache.get("zero") is None


def test_a_full_cache_drops_what_expired_first(clock):
    cache = LocalCache(max_entries=4)
    cache.set("old", 1, None)
    cache.set("brief", 2, 1)
    cache.set("other", 3, None)
    cache.set("last", 4, None)
    clock[0] += 1
    cache.set("new", 5, None)
    assert len(cache) == 4
    assert [cache.get(key) for key in ("old", "brief", "other", "last", "new")] == [
        1,
        None,
        3,
        4,
        5,
    ]


def test_a_full_cache_drops_the_entries_set_longest_ago(clock):
    cache = LocalCache(max_entries=20)
    for n in range(20):
        cache.set(n, n, None)
    cache.set(0, "again", None)  # set again: now the newest
    cache.set("new", "new", None)
    # A tenth goes at once: the two set longest ago.
    assert len(cache) == 19
    assert cache.get(1) is None and cache.get(2) is None
    assert cache.get(0) == "again" and cache.get(3) == 3 and cache.get("new") == "new"
    cache.set("one more", 1, None)  # room left: nothing else goes
    assert len(cache) == 20 and cache.get(3) == 3


def test_get_or_set_reads_once_then_keeps_the_value(clock):
    cache, reads = LocalCache(), []

    def read():
        reads.append(1)
        return len(reads)

    assert cache.get_or_set("key", read, 1) == 1
    assert cache.get_or_set("key", read, 1) == 1
    clock[0] += 1
    assert cache.get_or_set("key", read, 1) == 2
    assert len(reads) == 2


def test_a_read_begun_before_a_clear_is_not_kept(clock):
    cache = LocalCache()

    def read_while_cleared():
        cache.clear()  # what was read may predate the change that cleared the cache
        return "stale"

    assert cache.get_or_set("key", read_while_cleared, 10) == "stale"
    assert cache.get("key") is None
    assert cache.get_or_set("key", lambda: "fresh", 10) == "fresh"
    assert cache.get("key") == "fresh"
