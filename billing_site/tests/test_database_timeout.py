"""How long the database may keep a caller waiting: DATABASE_TIMEOUT_SECONDS in
the web processes, DATABASE_COMMAND_TIMEOUT_SECONDS in management commands; a
wait over it is a 503 JSON (the MariaDB stall itself: faults/test_database_stall.py)."""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import OperationalError

from billing_site.api.middleware import is_connection_failure
from billing_site.settings.env import database_from_url
from billing_site.testing import http_call, serve

ROOT = Path(__file__).resolve().parents[2]


def test_every_wait_on_the_database_comes_from_one_setting():
    sqlite = database_from_url("sqlite:///db.sqlite3", base_dir=ROOT, timeout=7)
    assert sqlite["OPTIONS"]["timeout"] == 7
    options = database_from_url("mysql://u@db:3306/billing", base_dir=ROOT, timeout=7)["OPTIONS"]
    assert options["connect_timeout"] == 7
    assert "max_statement_time=7 " in options["init_command"]
    # A read waits a second longer than a statement may run, so a slow statement
    # is stopped by the server (the connection kept) before the client gives up.
    assert options["read_timeout"] == options["write_timeout"] == 8


def test_timeouts_and_statements_over_their_time_are_unavailability():
    assert is_connection_failure(OperationalError(2013, "Lost connection to server during query"))
    assert is_connection_failure(
        OperationalError(1969, "Query execution was interrupted (max_statement_time exceeded)")
    )
    assert is_connection_failure(OperationalError("database is locked"))


_PRINT_TIMEOUT = "from django.conf import settings; print(settings.DATABASE_TIMEOUT_SECONDS)"


def _timeout_in(*command: str, **env: str) -> str:
    """DATABASE_TIMEOUT_SECONDS as a process started with ``command`` sees it."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "BILLING_COMMAND"))
    }
    result = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "billing_site.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_commands_may_wait_longer_than_requests():
    web = ("-c", f"import django; django.setup(); {_PRINT_TIMEOUT}")
    command = ("manage.py", "shell", "-c", _PRINT_TIMEOUT)
    assert _timeout_in(*web) == "5"
    assert _timeout_in(*web, DATABASE_TIMEOUT_SECONDS="4") == "4"
    assert _timeout_in(*command, DATABASE_TIMEOUT_SECONDS="4") == "3600"
    assert _timeout_in(*command, DATABASE_COMMAND_TIMEOUT_SECONDS="99") == "99"


def test_celery_workers_wait_as_commands_do():
    """``celery -A billing_site worker`` (and ``python -m celery``) make reports as
    the command does; the web processes import the same Celery app."""
    for program in (".venv/bin/celery", "site-packages/celery/__main__.py"):
        worker = (
            "-c",
            f"import sys; sys.argv[0] = {program!r}; import billing_site; {_PRINT_TIMEOUT}",
        )
        assert _timeout_in(*worker, DATABASE_TIMEOUT_SECONDS="4") == "3600"
    web = ("-c", f"import sys; sys.argv[0] = 'gunicorn'; import billing_site; {_PRINT_TIMEOUT}")
    assert _timeout_in(*web, DATABASE_TIMEOUT_SECONDS="4") == "4"


@pytest.mark.server
def test_a_sqlite_lock_held_elsewhere_is_a_503_within_the_timeout(tmp_path):
    with serve(tmp_path, workers=1, DATABASE_TIMEOUT_SECONDS="1") as server:
        holder = sqlite3.connect(tmp_path / "billing.sqlite3", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # the write lock, as a long writer holds it
        try:
            started = time.monotonic()
            pay = {"orderID": "ORD-1001", "billingNumber": "INV-1001"}
            status, body = http_call(f"{server.base}/updatePaymentStatus", pay, server.token)
            assert time.monotonic() - started < 1 + 2
            assert (status, body["success"]) == (503, "false"), body
            assert "database" in body["message"]
            status, body = http_call(
                f"{server.base}/api/v1/customers/", {"name": "Lock Wait"}, server.token
            )
            assert status == 503 and "database" in body["detail"], body
            waited = time.monotonic() - started
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        status, body = http_call(f"{server.base}/updatePaymentStatus", pay, server.token)
        assert status == 200 and body["paymentStatus"] == "paid", body
    print(f"SQLite lock held: 503 x 2 in {waited:.1f} s (timeout 1 s); released: 200")
