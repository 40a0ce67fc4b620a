"""Helpers shared by the apps' tests."""

import contextlib
import fcntl
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from importlib.util import find_spec
from pathlib import Path

from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

ROOT = Path(__file__).resolve().parent.parent
TEST_REDIS_URL = "redis://127.0.0.1:6379/0"


def procfile_command(name: str, *args: str) -> list[str]:
    """The Procfile's ``name`` line as a command (run from ROOT), ``args`` appended."""
    lines = (ROOT / "Procfile").read_text().splitlines()
    return ["sh", "-c", dict(line.split(": ", 1) for line in lines)[name] + ' "$@"', name, *args]


def redis_reachable() -> bool:
    """Whether the Redis the tests that need one use answers."""
    try:
        import redis

        return bool(redis.Redis.from_url(TEST_REDIS_URL, socket_timeout=1).ping())
    except Exception:
        return False


def bearer_client(user) -> APIClient:
    """An API client that sends a valid access token for ``user``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def http_call(url: str, payload=None, token: str | None = None) -> tuple[int, object]:
    """(status, parsed JSON body) of a request to a real server; POST when ``payload``."""
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_for_a_fresh_minute(*, needed: float) -> None:
    """Throttles count per minute: when fewer than ``needed`` seconds of this one
    are left, sleep into the next, so a test's requests fall in one window."""
    left = 60 - time.time() % 60
    if left < needed:
        time.sleep(left + 0.1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PRODUCTION_ENV = {
    # What a production deployment sets, for servers the tests start.
    "DJANGO_SETTINGS_MODULE": "billing_site.settings.production",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_HSTS_SECONDS": "0",
}


@dataclass
class Server:
    base: str
    token: str
    process: subprocess.Popen

    def worker_pids(self) -> list[int]:
        """The gunicorn workers' process ids (children of the master)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


def _collect_static(env: dict) -> None:
    """Production serves static files from their manifest, as the README's
    production steps build it; one test at a time builds it."""
    with open(Path(tempfile.gettempdir()) / "billing-collectstatic.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )


def load_demo_data(env: dict, *, seed: bool = True) -> None:
    """Migrates the database ``env`` names and loads the demo data (its users) into
    it, as ``make run`` does: with the local settings, since production refuses."""
    setup_env = {**env, "DJANGO_SETTINGS_MODULE": "billing_site.settings.local"}
    for command in (["migrate", "-v0"], ["seed_demo"]) if seed else (["migrate", "-v0"],):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=setup_env,
            check=True,
            capture_output=True,
            timeout=300,
        )


@contextlib.contextmanager
def serve(tmp_path: Path, *, workers: int, gunicorn_args=(), seed=True, output=None, **env):
    """Gunicorn with ``workers`` processes on a fresh database (SQLite in
    ``tmp_path`` unless ``DATABASE_URL`` is given) with the demo data; yields a
    ``Server``. The data is loaded with the local settings; the server runs with
    the settings ``env`` names (local unless it says otherwise). Its standard
    error goes to the file ``output`` (a Path) when given, else nowhere."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "billing_site.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'billing.sqlite3'}",
        "SECRET_KEY": "server-test-" + "x9" * 30,
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "REQUEST_LOG_SPOOL_DIR": str(tmp_path / "request-log-spool"),
        **env,
    }
    load_demo_data(env, seed=seed)
    if env["DJANGO_SETTINGS_MODULE"].endswith("production"):
        _collect_static(env)
    base = f"http://127.0.0.1:{_free_port()}"
    errors = open(output, "ab") if output else subprocess.DEVNULL  # noqa: SIM115
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "billing_site.wsgi",
            "--workers",
            str(workers),
            "--bind",
            base.removeprefix("http://"),
            "--log-level",
            "warning",
            *gunicorn_args,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = http_call(
                    f"{base}/login", {"username": "admin", "password": "password"}
                )
                break
            except (ConnectionError, urllib.error.URLError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        assert status == 200, body
        yield Server(base, body["access_token"], server)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if output:
            errors.close()


@contextlib.contextmanager
def demo_server(tmp_path: Path, *, workers: int, **env):
    """Gunicorn with ``workers`` processes on a fresh SQLite database with the demo
    data; yields ``(base_url, admin_token)``."""
    with serve(tmp_path, workers=workers, **env) as server:
        yield server.base, server.token


def json_type(value) -> str:
    """The JSON type of a parsed value (``Decimal`` for numbers read exactly):
    null, boolean, number, string, array or object; what the contract tests
    hold each document's examples to."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"{type(value).__name__} is not a parsed JSON value")


def tool_missing(reason: str) -> None:
    """Skips the test for want of a tool, unless on CI (``CI`` set), which
    installs every tool: there it fails."""
    import pytest

    if os.environ.get("CI"):
        pytest.fail(f"CI has every tool, yet {reason}")
    pytest.skip(reason)


NODE_TOOLS = ROOT / "node_modules" / ".bin"


def missing_node_tools(*names: str) -> str | None:
    """Why the npm tools ``names`` cannot run here (``npm ci`` installs them), or None."""
    if shutil.which("node") is None:
        return "node is not installed"
    missing = [name for name in names if not (NODE_TOOLS / name).exists()]
    return f"{', '.join(missing)} not installed: run npm ci" if missing else None


CLIENTS_SCRIPT = ROOT / "scripts" / "clients.sh"
CLIENT_FLOW = ROOT / "clients" / "python_flow.py"
CLIENTS_PYTHON = ROOT / ".venv-clients" / "bin" / "python"


def generated_clients_unavailable() -> str | None:
    """Why scripts/clients.sh cannot run here, or None: it needs the npm tools,
    curl and flock, and a Python that makes virtualenvs (venv with ensurepip)."""
    if reason := missing_node_tools("openapi-typescript", "tsc"):
        return reason
    for command in ("curl", "flock"):
        if shutil.which(command) is None:
            return f"{command} is not installed"
    if find_spec("venv") is None or find_spec("ensurepip") is None:
        return "this Python cannot make a virtualenv (no venv or ensurepip)"
    return None


def run_generated_client_flow(base_url: str, username: str, password: str) -> str:
    """Generates the clients from the schema of the server at ``base_url``
    (scripts/clients.sh) and runs clients/python_flow.py against it as
    ``username``; returns the flow's output. Fails (AssertionError) with what
    went wrong."""
    for command in (
        [str(CLIENTS_SCRIPT), base_url],
        [str(CLIENTS_PYTHON), str(CLIENT_FLOW), base_url, "--username", username],
    ):
        done = subprocess.run(
            command,
            cwd=ROOT,
            env={**os.environ, "PYTHON": sys.executable, "BILLING_API_PASSWORD": password},
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, (
            f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


class RoundTrips:
    """What a MySQL/MariaDB session sends to the server (``monkeypatch`` on its
    driver's connection): each round trip as the first words of the statements
    it carries (``statements``: whole), and the COMMITs and ROLLBACKs sent on
    their own."""

    def __init__(self, monkeypatch):
        from django.db import connection

        connection.ensure_connection()
        raw = type(connection.connection)
        self.sent, self.statements, self.ends = [], [], []
        query, send_query = raw.query, raw.send_query
        monkeypatch.setattr(raw, "query", lambda db, sql: self._add(sql) or query(db, sql))
        monkeypatch.setattr(
            raw, "send_query", lambda db, sql: self._add(sql) or send_query(db, sql)
        )
        commit, rollback = raw.commit, raw.rollback
        monkeypatch.setattr(raw, "commit", lambda db: self.ends.append("COMMIT") or commit(db))
        monkeypatch.setattr(
            raw, "rollback", lambda db: self.ends.append("ROLLBACK") or rollback(db)
        )

    def _add(self, sql) -> None:
        text = sql.decode() if isinstance(sql, bytes) else sql
        # MariaDB's check of a write (``IF ... ; END IF``) is one statement.
        statements = re.split(r";(?! END IF)", text)
        self.sent.append([statement.split()[0] for statement in statements])
        self.statements.append(statements)
