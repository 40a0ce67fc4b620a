"""Log lines as JSON objects: a request's lines carry its id, user and face, and
each request has one access line; LOG_FORMAT's defaults; gunicorn's and
Celery's lines in the same format."""

import io
import json
import logging
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

from billing_site import unknown_routes
from billing_site.logs import JsonFormatter, RequestContextFilter
from billing_site.testing import ROOT, TEST_REDIS_URL, redis_reachable, serve
from faults.processes import CELERY, Worker

REQUEST_ID = "client-chosen-id-42"


@pytest.fixture
def json_lines():
    """The JSON lines every logger writes meanwhile, INFO and up, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    root, access = logging.getLogger(), logging.getLogger("billing.access")
    saved = access.level
    root.addHandler(handler)
    access.setLevel(logging.INFO)
    lines = []
    yield lambda: lines + [json.loads(line) for line in stream.getvalue().splitlines()]
    access.setLevel(saved)
    root.removeHandler(handler)


def access_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "billing.access"]


@pytest.mark.django_db
def test_a_request_has_one_access_line_with_its_fields(json_lines, staff_client):
    response = staff_client.get("/api/v1/invoices/", HTTP_X_REQUEST_ID=REQUEST_ID)
    assert response.status_code == 200
    (line,) = access_lines(json_lines())
    assert line["timestamp"].endswith("+00:00")
    assert (line["level"], line["message"].split()[:3]) == (
        "INFO",
        ["GET", "/api/v1/invoices/", "200"],
    )
    assert {key: line[key] for key in ("method", "path", "status", "request_id", "face")} == {
        "method": "GET",
        "path": "/api/v1/invoices/",
        "status": 200,
        "request_id": REQUEST_ID,
        "face": "invoices",
    }
    assert line["user"] == response.wsgi_request.user.get_username()
    assert 0 < line["duration_ms"] < 60_000


@pytest.mark.django_db
def test_a_line_written_during_a_request_carries_it(json_lines, api_client, monkeypatch):
    def error_body_for(path):
        logging.getLogger("billing.test").warning("looking up %s", path)
        return None

    monkeypatch.setattr(unknown_routes, "error_body_for", error_body_for)
    api_client.get("/api/v2/nowhere", HTTP_X_REQUEST_ID=REQUEST_ID)
    logging.getLogger("billing.test").warning("after the request")
    during, after = (line for line in json_lines() if line["logger"] == "billing.test")
    assert (during["message"], during["request_id"], during["face"], during["user"]) == (
        "looking up /api/v2/nowhere",
        REQUEST_ID,
        "reports",
        None,  # nobody logged in
    )
    assert "request_id" not in after and "face" not in after
    (access,) = access_lines(json_lines())
    assert (access["status"], access["face"], access["user"]) == (404, "reports", None)


@pytest.mark.django_db
def test_a_request_without_an_id_gets_one(json_lines, api_client):
    response = api_client.get("/api/v1/invoices/", HTTP_X_REQUEST_ID="not an id!")
    (line,) = access_lines(json_lines())
    assert line["request_id"] == response["X-Request-ID"] != "not an id!"


def test_new_request_ids_are_32_hex_digits():
    from billing_site import request_context

    made = {request_context.new_request_id() for _ in range(1000)}
    assert len(made) == 1000 and all(re.fullmatch(r"[0-9a-f]{32}", one) for one in made)


@pytest.mark.django_db
def test_a_signed_links_signature_is_masked_in_the_access_line(json_lines, api_client):
    signature = "A" * 43
    api_client.get(f"/billing/bills/INV-1:1vXyZ9:{signature}.pdf")
    (line,) = access_lines(json_lines())
    assert signature not in json.dumps(line)
    assert line["path"] == "/billing/bills/INV-1:1vXyZ9:********.pdf"


@pytest.mark.django_db
def test_probes_write_no_access_line(json_lines, api_client):
    api_client.get("/healthz")
    assert access_lines(json_lines()) == []


def settings_value(settings_module: str, expression: str, **env) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("LOG_FORMAT",)}
    environment.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        SECRET_KEY="k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="example.com",
        **env,
    )
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


FORMAT = "settings.LOG_FORMAT, settings.LOGGING['handlers']['console']['formatter']"


@pytest.mark.parametrize(
    "module, env, expected",
    [
        ("production", {}, "json json"),
        ("production", {"LOG_FORMAT": "plain"}, "plain plain"),
        ("local", {}, "plain plain"),
        ("local", {"LOG_FORMAT": "json"}, "json json"),
    ],
)
def test_log_format_defaults_to_json_in_production_and_plain_locally(module, env, expected):
    assert settings_value(f"billing_site.settings.{module}", FORMAT, **env) == expected


def parsed_lines(path) -> list[dict]:
    """Every line of the file, each of which must be a JSON object."""
    lines = path.read_text().splitlines()
    assert lines
    for line in lines:
        assert line.startswith("{"), line
    return [json.loads(line) for line in lines]


@pytest.mark.server
def test_gunicorn_writes_json_lines_only_with_the_clients_request_id(tmp_path):
    log = tmp_path / "gunicorn.log"
    with serve(
        tmp_path,
        workers=2,
        output=log,
        gunicorn_args=("--log-level", "info", "--access-logfile", "-"),
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
    ) as server:
        request = urllib.request.Request(f"{server.base}/api/v1/invoices/")
        request.add_header("Authorization", f"Bearer {server.token}")
        request.add_header("X-Request-ID", REQUEST_ID)
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
        time.sleep(0.5)
    lines = parsed_lines(log)
    assert {"timestamp", "level", "logger", "message"} <= set().union(*lines)
    assert any(line["logger"] == "gunicorn.error" for line in lines)  # "Booting worker ..."
    (access,) = [line for line in lines if line.get("request_id") == REQUEST_ID]
    assert (access["logger"], access["method"], access["path"], access["status"]) == (
        "billing.access",
        "GET",
        "/api/v1/invoices/",
        200,
    )
    assert (access["user"], access["face"]) == ("admin", "invoices")
    # gunicorn's own access line is off even with --access-logfile: one line a request.
    assert [line["path"] for line in lines if line["logger"] == "billing.access"] == [
        "/login",
        "/api/v1/invoices/",
    ]


@pytest.mark.server
def test_a_celery_worker_writes_json_lines(tmp_path):
    if not redis_reachable():
        if os.environ.get("CI"):
            pytest.fail("Redis is needed at " + TEST_REDIS_URL)
        pytest.skip("Redis is not reachable")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "billing_site.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'billing.sqlite3'}",
        "SECRET_KEY": "worker-test-" + "x9" * 30,
        "CELERY_BROKER_URL": TEST_REDIS_URL,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
    }
    if os.geteuid() == 0:
        # Celery's warning to root is written before any logging is set up.
        env["PYTHONWARNINGS"] = "ignore::UserWarning"
    # A queue of its own: the worker takes no other test's tasks from the shared Redis.
    queue = f"log-test-{uuid.uuid4().hex}"
    command = [CELERY, "-A", "billing_site", "--quiet", "worker", "--pool", "solo", "-Q", queue]
    command += ["--without-mingle", "--without-gossip", "--hostname", f"{queue}@%h"]
    worker = Worker("w1", command, env, tmp_path / "worker.log")
    try:
        worker.wait_ready()
        # Read before the stop: "Warm shutdown" is a console message, not a log line.
        lines = parsed_lines(tmp_path / "worker.log")
    finally:
        worker.stop()
    assert any(
        line["logger"] == "celery.apps.worker" and "ready" in line["message"] for line in lines
    )


@pytest.mark.server
def test_gunicorn_writes_its_own_lines_where_error_logfile_says_in_the_same_format(tmp_path):
    errors = tmp_path / "errors.log"
    with serve(
        tmp_path,
        workers=1,
        gunicorn_args=("--log-level", "info", "--error-logfile", str(errors)),
        LOG_FORMAT="json",
    ):
        pass
    lines = parsed_lines(errors)
    assert lines and {line["logger"] for line in lines} == {"gunicorn.error"}
    assert any(line["message"].startswith("Booting worker") for line in lines)
