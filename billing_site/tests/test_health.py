import logging

import pytest
from django.test import Client

from audit.models import RequestLog
from billing_site.faults import free_port
from billing_site.testing import TEST_REDIS_URL, redis_reachable

pytestmark = pytest.mark.django_db


def probe(path):
    response = Client().get(path)
    return response.status_code, response.json()


def test_healthz_answers_without_a_token_or_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert probe("/healthz") == (200, {"status": "ok"})
    assert probe("/healthz/") == (200, {"status": "ok"})


def test_readyz_checks_what_is_configured(settings):
    settings.REDIS_URL, settings.CELERY_TASK_ALWAYS_EAGER = "", True
    status, body = probe("/readyz")
    assert (status, body["status"]) == (200, "ok")
    assert set(body["checks"]) == {"database", "request_log_spool"}
    for check in body["checks"].values():
        assert check["status"] == "ok" and isinstance(check["ms"], float)


def test_probes_are_kept_out_of_the_request_log():
    for path in ("/healthz", "/readyz", "/readyz/"):
        Client().get(path)
    Client().get("/getAllBilling")  # an API request still is
    assert list(RequestLog.objects.values_list("endpoint", flat=True)) == ["/getAllBilling"]


def test_a_probe_takes_get_only():
    assert Client().post("/healthz").status_code == 405


def test_redis_or_the_broker_gone_is_a_503_that_names_it_and_is_not_an_error(settings, caplog):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.REDIS_URL = dead
    settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL = False, dead
    with caplog.at_level(logging.WARNING, logger="django.request"):
        status, body = probe("/readyz")
    assert (status, body["status"]) == (503, "unavailable")
    assert body["checks"]["database"]["status"] == "ok"
    for name in ("redis", "broker"):
        assert body["checks"][name]["status"] == "error"
        assert "ConnectionError" in body["checks"][name]["error"]
        assert body["checks"][name]["ms"] < 1500  # one try, bounded
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.skipif(not redis_reachable(), reason="needs the Redis at TEST_REDIS_URL")
def test_a_reachable_redis_and_broker_are_ready(settings):
    settings.REDIS_URL = TEST_REDIS_URL
    settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL = False, TEST_REDIS_URL
    status, body = probe("/readyz")
    assert status == 200, body
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "request_log_spool": "ok",
        "redis": "ok",
        "broker": "ok",
    }


def test_an_amqp_broker_nobody_answers_is_not_ready(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    status, body = probe("/readyz")
    assert status == 503
    assert body["checks"]["broker"]["status"] == "error"
    assert body["checks"]["broker"]["ms"] < 3000
