import logging
import time
import uuid

import pytest
import redis as redis_lib

from billing_site.api.cache import CacheUnavailable, RedisCache
from billing_site.faults import PrivateRedis, free_port, private_redis, redis_available
from billing_site.testing import TEST_REDIS_URL, redis_reachable

needs_redis = pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379")
needs_redis_server = pytest.mark.skipif(not redis_available(), reason="needs redis-server")


def backend(location=TEST_REDIS_URL, **options):
    return RedisCache(location, {"KEY_PREFIX": uuid.uuid4().hex, "TIMEOUT": 60, "OPTIONS": options})


@pytest.fixture
def own_redis(tmp_path):
    """A Redis of this test's own, which it may stop and stall."""
    with private_redis(tmp_path / "redis") as server:
        yield server


@needs_redis
def test_every_call_goes_through_one_client():
    cache = backend()
    cache.set("count", 1)
    assert cache.incr("count") == 2
    assert cache.get_many(["count", "missing"]) == {"count": 2}
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client(write=False) is client


@needs_redis
def test_a_replica_is_read_through_a_client_of_its_own():
    cache = backend(f"{TEST_REDIS_URL},{TEST_REDIS_URL}")
    primary = cache._cache.get_client(write=True)
    replica = cache._cache.get_client(write=False)
    assert replica is not primary
    assert cache._cache.get_client(write=False) is replica
    cache.set("key", "value")
    assert cache.get("key") == "value"


def timed(call):
    began = time.monotonic()
    with pytest.raises(CacheUnavailable):
        call()
    return time.monotonic() - began


@needs_redis_server
def test_a_stalled_redis_costs_one_call_its_timeout_then_is_skipped(own_redis):
    cache = backend(own_redis.url, timeout_seconds=0.2, breaker_seconds=1)
    cache.set("key", "value")
    own_redis.pause()  # SIGSTOP: connections open, nothing answers
    try:
        assert 0.15 < timed(lambda: cache.get("key")) < 1  # redis-py's own default is 5 s
        for call in (lambda: cache.get("key"), lambda: cache.incr_expiring("n", 60)):
            assert timed(call) < 0.05  # skipped: no timeout paid again
        time.sleep(1.1)
        assert 0.15 < timed(lambda: cache.get("key")) < 1  # tried again, still stalled
    finally:
        own_redis.resume()
    time.sleep(1.1)
    assert cache.get("key") == "value"  # back by itself


@needs_redis_server
def test_a_stopped_redis_is_skipped_for_a_while_and_used_again_when_back(own_redis):
    cache = backend(own_redis.url, breaker_seconds=1)
    cache.set("key", "value")
    own_redis.stop()
    with pytest.raises(CacheUnavailable):
        cache.set("key", "other")
    own_redis.start()  # same port, empty
    with pytest.raises(CacheUnavailable):
        cache.get("key")  # up again, but skipped until the pause ends
    time.sleep(1.1)
    assert cache.get("key") is None
    assert cache.add("key", "new") is True
    assert cache.get("key") == "new"


@needs_redis_server
def test_an_outage_is_logged_once_and_its_end_once(caplog, tmp_path):
    (tmp_path / "redis").mkdir()
    server = PrivateRedis(tmp_path / "redis")  # not started yet: its port refuses
    cache = backend(server.url, breaker_seconds=0)  # no pause: every call tries
    with caplog.at_level(logging.WARNING, logger="billing_site.api.cache"):
        for _ in range(20):
            with pytest.raises(CacheUnavailable):
                cache.get("key")
        server.start()
        try:
            for _ in range(5):
                assert cache.get("key") is None
        finally:
            server.stop()
    messages = [(record.levelname, record.getMessage()) for record in caplog.records]
    assert len(messages) == 2, messages
    assert messages[0][0] == "ERROR" and "cannot be used" in messages[0][1]
    assert messages[1][0] == "WARNING" and "answers again" in messages[1][1]


def test_errors_that_are_not_an_outage_pass_through():
    # A counter that is not a number is a bug, not a lost Redis: not skipped.
    cache = backend(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(CacheUnavailable):
        cache.get("key")
    if redis_reachable():
        cache = backend()
        cache.set("text", "abc")
        with pytest.raises(Exception) as raised:
            cache.incr_expiring("text", 60)
        assert not isinstance(raised.value, CacheUnavailable)
        assert cache.get("text") == "abc"  # and the breaker stayed closed


def test_a_redis_that_refuses_writes_for_want_of_memory_is_an_outage(tmp_path):
    from billing_site.faults import private_redis

    with private_redis(tmp_path) as server:
        cache = backend(server.url)
        cache.set("before", "x" * 1000)
        config = redis_lib.Redis.from_url(server.url)
        config.config_set("maxmemory", "1")
        config.config_set("maxmemory-policy", "noeviction")
        with pytest.raises(CacheUnavailable):
            cache.set("key", "value")
        with pytest.raises(CacheUnavailable):  # skipped for a while, not asked again
            cache.get("before")
