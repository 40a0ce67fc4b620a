"""Django's Redis cache, keeping one client per connection pool. Django's builds
a new ``redis.Redis`` on every cache call, and each fills a table of a few hundred
reply handlers: a noticeable share of a short request that calls the cache twice.
A client is safe to share between threads; its pool hands out the connections."""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # Django's pick among the replicas
        client = self._clients.get(id(pool))  # pools live as long as this object
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def incr_expiring(self, key, timeout: int, delta: int = 1, version=None) -> int:
        """Adds ``delta`` to the counter at ``key`` (a missing one starts at 0)
        and has it expire ``timeout`` seconds from now: one round trip, where
        ``incr`` takes two (it asks whether the key exists first) and ``add`` a third."""
        key = self.make_and_validate_key(key, version=version)
        # MULTI/EXEC: a counter is never left without its expiry.
        with self._cache.get_client(key, write=True).pipeline(transaction=True) as pipe:
            count, _ = pipe.incr(key, delta).expire(key, timeout).execute()
        return count
