"""The authentication backend: Django's model backend, with a user's permissions
read in one query rather than two (their own, then their groups'), and kept in
the shared cache (Redis) when there is one, so a request reads them in one cache
round trip instead of a query. Token authentication keeps the user row there
too, with its permissions (``cached_user``).

A change through the admin or the ORM's managers (a user's or group's permissions
or groups added, removed, set or cleared; a group or permission saved or deleted;
a user saved or deleted; a user linked to a customer or unlinked) renews the
cache's generation once its transaction commits: every entry read before is then
stale. Changes that send no signal apply within PERMISSIONS_CACHE_SECONDS:
``update()``, ``bulk_create()`` or ``bulk_update()`` of users or of customer
links, membership rows deleted in bulk, a customer deleted with its links, raw
SQL, and any change made while the cache could not be reached."""

import contextlib
import functools
import logging
import uuid

from django.conf import settings
from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction

from .cache import CacheUnavailable
from .local_cache import LocalCache

GENERATION_KEY = "permissions:generation"
# A new name when an entry's shape changes: a deployment must not read the old ones.
USER_ENTRY = "permissions:user-row:2"
logger = logging.getLogger(__name__)


class ModelBackend(backends.ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = (
                cached_permissions(user_obj)
                if settings.PERMISSIONS_CACHE_SECONDS
                else permissions_of(user_obj)
            )
        return user_obj._perm_cache


def permissions_of(user) -> set[str]:
    """``app_label.codename`` of every permission ``user`` holds, in one query."""
    if user.is_superuser:
        rows = _names(Permission.objects.all())
    else:
        own = _names(Permission.objects.filter(user=user))
        rows = own.union(_names(Permission.objects.filter(group__user=user)))
    return {f"{app_label}.{codename}" for app_label, codename in rows}


def _names(permissions):
    return permissions.order_by().values_list("content_type__app_label", "codename")


def cached_permissions(user) -> set[str]:
    key = f"permissions:user:{user.pk}:{int(user.is_superuser)}"
    return set(_current(key, lambda: sorted(permissions_of(user))))


def cached_user(key: str, load, *, annotations: tuple[str, ...] = ()):
    """The user ``load()`` reads (it raises when there is none), with their
    permissions and ``annotations``: from the shared cache when it holds them, so
    a request with a token reads its user in one cache round trip instead of two
    queries. The cache holds the row without the password hash."""
    model, names = get_user_model(), _user_columns()

    def read():
        user = load()
        permissions = sorted(permissions_of(user)) if user.is_active else []
        extra = {name: getattr(user, name) for name in annotations}
        return [getattr(user, name) for name in names], extra, permissions

    row, extra, permissions = _current(f"{USER_ENTRY}:{key}", read)
    user = model.from_db(DEFAULT_DB_ALIAS, names, row)  # the password is read if asked for
    for name, value in extra.items():
        setattr(user, name, value)
    user._perm_cache = set(permissions)
    return user


@functools.cache
def _user_columns() -> list[str]:
    """The user row's columns that the cache holds: all but the password hash."""
    fields = get_user_model()._meta.concrete_fields
    return [field.attname for field in fields if field.name != "password"]


# What this process read last from the shared cache, by key.
_recent = LocalCache()


def _current(key: str, read):
    """The value at ``key``: this process's own copy for PERMISSIONS_LOCAL_SECONDS
    after it read it (a round trip to the cache costs a short request more than
    anything else it does), else the shared cache's (``_shared``)."""
    window = settings.PERMISSIONS_LOCAL_SECONDS
    if not window:
        return _shared(key, read)
    return _recent.get_or_set(key, lambda: _shared(key, read), window)


def forget_recent() -> None:
    """Drop this process's copies; a read begun before is not kept."""
    _recent.clear()


def _shared(key: str, read):
    """The cache's value at ``key``, or ``read()``'s, then kept. The entry carries
    the generation it was read under (read before the database): an entry from
    an older generation is read again. Without the cache, the database answers."""
    try:
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY) or _new_generation()
    except CacheUnavailable:  # down or stalled: the cache logs it, once an outage
        return read()
    except Exception:
        logger.exception("The shared cache failed; permissions read from the database")
        return read()
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        return entry[1]
    value = read()
    with contextlib.suppress(Exception):  # the next request tries again
        cache.set(key, (generation, value), settings.PERMISSIONS_CACHE_SECONDS)
    return value


def _new_generation() -> str:
    cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    return cache.get(GENERATION_KEY)


def permissions_changed(**kwargs) -> None:
    """Signal receiver: after this transaction commits, every cached entry is stale."""
    if settings.PERMISSIONS_CACHE_SECONDS:
        transaction.on_commit(_renew_generation, robust=True)


def _renew_generation() -> None:
    # The change has committed: a cache failure must not turn it into an error.
    # Entries then live out their PERMISSIONS_CACHE_SECONDS.
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.exception(
            "Could not renew the permissions cache; cached users and permissions stay"
            " up to PERMISSIONS_CACHE_SECONDS"
        )
    # Once renewed: this process applies its own change at once, and a read that
    # began before is not kept.
    forget_recent()


def user_saved(update_fields=None, **kwargs) -> None:
    """Signal receiver: a saved user may have been deactivated or made staff, so
    cached users are stale; a login's new ``last_login`` changes nothing cached."""
    if not update_fields or set(update_fields) != {"last_login"}:
        permissions_changed()
