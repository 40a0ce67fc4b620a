import uuid

import pytest

from billing_site.api.cache import RedisCache
from billing_site.testing import TEST_REDIS_URL, redis_reachable

pytestmark = pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379")


def backend(location=TEST_REDIS_URL):
    return RedisCache(location, {"KEY_PREFIX": uuid.uuid4().hex, "TIMEOUT": 60})


def test_every_call_goes_through_one_client():
    cache = backend()
    cache.set("count", 1)
    assert cache.incr("count") == 2
    assert cache.get_many(["count", "missing"]) == {"count": 2}
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client(write=False) is client


def test_a_replica_is_read_through_a_client_of_its_own():
    cache = backend(f"{TEST_REDIS_URL},{TEST_REDIS_URL}")
    primary = cache._cache.get_client(write=True)
    replica = cache._cache.get_client(write=False)
    assert replica is not primary
    assert cache._cache.get_client(write=False) is replica
    cache.set("key", "value")
    assert cache.get("key") == "value"
