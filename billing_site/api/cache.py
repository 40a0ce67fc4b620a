"""Django's Redis cache, made safe to lose.

- One client per connection pool. Django's builds a new ``redis.Redis`` on every
  cache call, and each fills a table of a few hundred reply handlers: a
  noticeable share of a short request that calls the cache twice. A client is
  safe to share between threads; its pool hands out the connections.
- Short socket timeouts (connect and read, ``REDIS_TIMEOUT_SECONDS``) and no
  retries: a stalled Redis costs a call that long at most, not redis-py's 5 s.
- A circuit breaker: once a call fails, this process skips Redis for
  ``REDIS_BREAKER_SECONDS`` (every call raises ``CacheUnavailable`` at once),
  then lets calls try again. The outage is logged when it begins and when it ends,
  not once per request.

Callers that can do without Redis catch ``CacheUnavailable`` (throttles count per
process, token users and permissions come from the database); one that does not
is answered with a 503 (``billing_site.api.exceptions``)."""

import functools
import logging
import threading
import time

import redis as redis_lib
from django.core.cache.backends import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 0.25
DEFAULT_BREAKER_SECONDS = 5.0
# What says "Redis cannot be used now", as opposed to a wrong command.
_UNAVAILABLE = (
    redis_lib.exceptions.ConnectionError,  # refused, reset, closed, still loading
    redis_lib.exceptions.TimeoutError,  # stalled
    redis_lib.exceptions.ReadOnlyError,  # a replica promoted away from under us
    redis_lib.exceptions.OutOfMemoryError,  # full, under noeviction
    redis_lib.exceptions.MasterDownError,
    redis_lib.exceptions.TryAgainError,
    redis_lib.exceptions.AuthenticationError,  # a password changed under us
    redis_lib.exceptions.NoPermissionError,
)
# The server's other refusals to work for now (a failed snapshot, a busy script,
# ...): an outage too. Other errors are bugs.
_REFUSALS = ("MISCONF", "BUSY", "NOREPLICAS")


def _is_outage(error: Exception) -> bool:
    if isinstance(error, _UNAVAILABLE):
        return True
    return isinstance(error, redis_lib.exceptions.ResponseError) and str(error).startswith(
        _REFUSALS
    )


class CacheUnavailable(Exception):
    """Redis could not be used (down or stalled), or is skipped after a failure."""


class Breaker:
    """Skips Redis for ``pause`` seconds after a failure, then lets calls try again."""

    def __init__(self, location: str, pause: float):
        self.location, self.pause = location, pause
        self.skip_until = 0.0
        self.down_since: float | None = None
        self._lock = threading.Lock()

    def check(self) -> None:
        if self.skip_until and time.monotonic() < self.skip_until:
            raise CacheUnavailable(f"Redis skipped for {self.pause:g} s after a failure")

    def failed(self, error: Exception) -> None:
        with self._lock:
            now = time.monotonic()
            self.skip_until = now + self.pause
            began = self.down_since is None
            if began:
                self.down_since = now
        if began:
            logger.error(
                "Redis at %s cannot be used (%s): skipped for %g s at a time until it"
                " answers; throttles count per process, users and permissions are read"
                " from the database",
                self.location,
                error,
                self.pause,
            )

    def succeeded(self) -> None:
        if self.down_since is None:  # the usual case: one attribute read
            return
        with self._lock:
            since, self.down_since, self.skip_until = self.down_since, None, 0.0
        if since is not None:
            logger.warning(
                "Redis at %s answers again after %.1f s", self.location, time.monotonic() - since
            )


# One breaker per Redis a process uses, shared by its threads (Django gives each
# thread a cache object of its own).
_breakers: dict[tuple[str, float], Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(location: str, pause: float) -> Breaker:
    with _breakers_lock:
        found = _breakers.get((location, pause))
        if found is None:
            found = _breakers[location, pause] = Breaker(location, pause)
        return found


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


def _guarded(method):
    """``method`` behind the breaker: Redis's failures become ``CacheUnavailable``."""

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        self._breaker.check()
        try:
            result = method(self, *args, **kwargs)
        except redis_lib.exceptions.RedisError as error:
            if not _is_outage(error):
                raise
            self._breaker.failed(error)
            raise CacheUnavailable(str(error)) from error
        self._breaker.succeeded()
        return result

    return call


class RedisCache(redis.RedisCache):
    """``OPTIONS``: ``timeout_seconds`` (connect and read, default 0.25) and
    ``breaker_seconds`` (default 5); the rest go to redis-py's connection pool."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        timeout = float(options.pop("timeout_seconds", DEFAULT_TIMEOUT_SECONDS))
        pause = float(options.pop("breaker_seconds", DEFAULT_BREAKER_SECONDS))
        options = {
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
            "retry": Retry(NoBackoff(), 0),
            **options,
        }
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = RedisCacheClient
        self._breaker = breaker_for(",".join(self._servers), pause)

    def incr_expiring(self, key, timeout: int, delta: int = 1, version=None) -> int:
        """Adds ``delta`` to the counter at ``key`` (a missing one starts at 0)
        and has it expire ``timeout`` seconds from now: one round trip, where
        ``incr`` takes two (it asks whether the key exists first) and ``add`` a third."""
        key = self.make_and_validate_key(key, version=version)
        # MULTI/EXEC: a counter is never left without its expiry.
        with self._cache.get_client(key, write=True).pipeline(transaction=True) as pipe:
            count, _ = pipe.incr(key, delta).expire(key, timeout).execute()
        return count


# Every call that reaches Redis (the others, such as get_or_set, go through these).
for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
    "incr_expiring",
):
    setattr(RedisCache, _name, _guarded(getattr(RedisCache, _name)))
