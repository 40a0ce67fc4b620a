import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from billing_site.api import backends, lockout
from billing_site.api.throttles import forget_slices
from billing_site.celery import app as celery_app
from billing_site.faults import free_port
from billing_site.testing import bearer_client
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import UserFactory


@pytest.fixture
def throttle_clock(monkeypatch):
    """Throttles count per minute window: hold their clock inside one window, so
    a test's requests never straddle two."""
    monkeypatch.setattr(SimpleRateThrottle, "timer", staticmethod(lambda: 1_000_010.0))
    forget_slices()  # allowance held from an earlier test's requests in this window


@pytest.fixture
def lockout_clock(settings, monkeypatch):
    """Login lock-outs at their default limits (5 failures per username, 20 per
    address, in 15 minutes; locked out for 15 minutes), no failure counted
    before, on a clock the test moves: ``lockout_clock[0] += seconds``."""
    settings.THROTTLE_LOGIN_FAILURES_PER_USERNAME = 5
    settings.THROTTLE_LOGIN_FAILURES_PER_ADDRESS = 20
    settings.THROTTLE_LOGIN_FAILURE_WINDOW_SECONDS = 900
    settings.THROTTLE_LOGIN_LOCKOUT_SECONDS = 900
    clock = [1_000_800.0]  # a window's start
    monkeypatch.setattr(lockout, "clock", lambda: clock[0])
    cache.clear()
    lockout.forget()
    yield clock
    lockout.forget()


@pytest.fixture
def redis_down(settings, throttle_clock):
    """REDIS_URL names a Redis where nothing listens (refused at once)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "billing_site.api.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    settings.PERMISSIONS_CACHE_SECONDS = 60
    backends.forget_recent()
    yield
    forget_slices()
    backends.forget_recent()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def gateway_user(db):
    """A payment gateway's user, holding what the demo's does (``payments.demo``)."""
    return UserFactory(perms=["api.use_gateway", VIEW_ALL_CUSTOMERS])


@pytest.fixture
def gateway_client(gateway_user):
    return bearer_client(gateway_user)


@pytest.fixture
def staff_client(db):
    return bearer_client(UserFactory(is_staff=True, is_superuser=True))


@pytest.fixture
def broker_down():
    """The app's broker: a Redis port where nothing listens (through connection
    and producer pools of its own)."""
    app = celery_app
    saved = app.conf.task_always_eager, app.conf.broker_url, app._pool, app.amqp._producer_pool
    app.conf.task_always_eager, app.conf.broker_url = False, f"redis://127.0.0.1:{free_port()}/0"
    app._pool = app.amqp._producer_pool = None
    yield
    if app._pool is not None:
        app._pool.force_close_all()
    app.conf.task_always_eager, app.conf.broker_url, app._pool, app.amqp._producer_pool = saved
