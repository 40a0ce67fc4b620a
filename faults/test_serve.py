"""``make serve``'s recipe (deploy/serve.sh) as it runs: honcho starts nginx,
gunicorn, a Celery worker and the beat from the Procfile with the production
settings, on a fresh SQLite file and a private Redis. Ready through nginx, a
client's round is answered, its events reach a webhook receiver through the
worker, the beat sends its tasks; SIGTERM or Ctrl-C's SIGINT to honcho stops
every process, none killed, and frees the ports."""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from billing_site.faults import free_port
from billing_site.testing import (
    ROOT,
    generated_clients_unavailable,
    http_call,
    load_demo_data,
    run_generated_client_flow,
    tool_missing,
)
from webhooks.tests.receiver import Receiver
from webhooks.tests.receiver import serve as serve_receiver

from .processes import wait_until

ADMIN = ("admin", "password")  # the demo data's (payments/demo.py)
PROCESSES = [line.split(":", 1)[0] for line in (ROOT / "Procfile").read_text().splitlines()]
# honcho gives a process 5 s after its SIGTERM before a SIGKILL.
STOP_SECONDS = 15

pytestmark = pytest.mark.skipif(
    not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")) and not os.environ.get("CI"),
    reason="needs nginx",
)


def _readiness(base: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"{base}/readyz", timeout=5) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


def _descendants(pid: int) -> set[int]:
    found, waiting = set(), [pid]
    while waiting:
        parent = waiting.pop()
        with contextlib.suppress(OSError):
            for child in Path(f"/proc/{parent}/task/{parent}/children").read_text().split():
                found.add(int(child))
                waiting.append(int(child))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def _stop_all(honcho: subprocess.Popen) -> None:
    """After a failure: honcho stops what it started; what outlives it is killed
    (each process runs in a session of its own, out of reach of honcho's group)."""
    children = _descendants(honcho.pid)
    if honcho.poll() is None:
        honcho.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            honcho.wait(timeout=STOP_SECONDS)
    for pid in [honcho.pid, *children]:
        with contextlib.suppress(ProcessLookupError):
            if pid == honcho.pid or _alive(pid):
                os.killpg(os.getpgid(pid), signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        honcho.wait(timeout=30)


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_serve_runs_every_process_behind_nginx_and_a_signal_stops_them_all(
    tmp_path, redis_server, stop
):
    if reason := generated_clients_unavailable():
        tool_missing(reason)
    port, gunicorn_port = free_port(), free_port()
    # nginx's workers (nobody, when started as root) reach their folder.
    run_dir = tmp_path / "nginx"
    run_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(run_dir, user="nobody")
    env = {
        **{
            key: value
            for key, value in os.environ.items()
            # What the recipe sets, from a caller's environment: the test's own instead.
            if not key.startswith(
                ("DJANGO_", "DATABASE_", "CELERY_", "REDIS_", "NGINX_", "GUNICORN_", "SECURE_")
            )
            and key not in ("HOST", "ALLOWED_HOSTS", "WEB_CONCURRENCY")
        },
        "PORT": str(port),
        "GUNICORN_PORT": str(gunicorn_port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'billing.sqlite3'}",
        "REDIS_URL": redis_server.url,
        "CELERY_BROKER_URL": redis_server.url.removesuffix("/0") + "/1",
        "NGINX_RUN_DIR": str(run_dir),
        "REQUEST_LOG_SPOOL_DIR": str(tmp_path / "request-log-spool"),
        "WEB_CONCURRENCY": "2",
        "CELERY_CONCURRENCY": "1",
        # A receiver on this machine, and the beat's webhook sweep every second.
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "1",
        "WEBHOOKS_SWEEP_SECONDS": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    load_demo_data(env)
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        honcho = subprocess.Popen(
            [str(ROOT / "deploy" / "serve.sh")],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    receiver = Receiver()
    listener = serve_receiver(receiver)
    try:
        started = time.monotonic()
        while (ready := _readiness(base)) is None or ready["status"] != "ok":
            assert honcho.poll() is None, log_path.read_text()[-4000:]
            assert time.monotonic() - started < 300, (ready, log_path.read_text()[-4000:])
            time.sleep(0.5)
        checks = ready["checks"]
        assert {name: check["status"] for name, check in checks.items()} == {
            "database": "ok",
            "request_log_spool": "ok",
            "redis": "ok",
            "broker": "ok",
        }, checks
        ready_after = time.monotonic() - started

        username, password = ADMIN
        status, login = http_call(f"{base}/login", {"username": username, "password": password})
        assert status == 200, login
        status, endpoint = http_call(
            f"{base}/api/v1/webhook-endpoints/",
            {"url": receiver.url, "events": ["*"], "description": "make serve"},
            login["access_token"],
        )
        assert status == 201, endpoint
        receiver.secret = endpoint["secret"]

        # The generated Python client's round (clients/python_flow.py), through nginx.
        output = run_generated_client_flow(base, *ADMIN)
        issued = re.search(r"^ok  issueInvoice: (\S+) open$", output, re.M)
        assert issued, output

        def delivered() -> list[dict]:
            with receiver.lock:
                return [r.payload for r in receiver.received if r.verified and r.answered == 204]

        waited = wait_until(
            lambda: any(
                p["type"] == "invoice.issued" and p["data"]["number"] == issued[1]
                for p in delivered()
            ),
            60,
            "the new invoice's event delivered by the worker",
        )
        output = log_path.read_text()
        worker_ran = re.search(r"Task webhooks\.tasks\.\w+\[[-0-9a-f]+\] succeeded", output)
        assert worker_ran and "Sending due task send-due-webhooks" in output, output[-4000:]

        children = _descendants(honcho.pid)
        assert len(children) > len(PROCESSES), children
        stopping = time.monotonic()
        honcho.send_signal(stop)
        assert honcho.wait(timeout=STOP_SECONDS) == 128 + stop
        wait_until(lambda: not any(_alive(pid) for pid in children), 5, "every child gone")
        stopped_after = time.monotonic() - stopping
    finally:
        _stop_all(honcho)
        listener.shutdown()
    output = log_path.read_text()
    assert "SIGKILL" not in output, output[-4000:]
    for name in PROCESSES:
        assert f"{name}.1 stopped (rc=0)" in output, output[-4000:]
    assert _port_free(port) and _port_free(gunicorn_port)
    print(
        f"make serve: ready through nginx in {ready_after:.1f} s; {len(delivered())} deliveries,"
        f" the invoice's within {waited:.1f} s; {stop.name} stopped {len(children)} processes"
        f" ({', '.join(PROCESSES)}) in {stopped_after:.1f} s, ports free"
    )
