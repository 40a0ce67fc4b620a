"""Many clients settling one invoice at once: exactly one payment, never a 500."""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection, connections

from billing_site.testing import bearer_client
from invoices.models import Invoice
from invoices.tests.factories import InvoiceFactory
from payments.models import Payment

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 50


def _settle_concurrently(send):
    """Run ``send()`` from CLIENTS threads released together; return (status, body) pairs."""
    barrier = threading.Barrier(CLIENTS)

    def one(_):
        barrier.wait()
        try:
            return send()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        return list(pool.map(one, range(CLIENTS)))


def _assert_exactly_one_winner(results):
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [400] * (CLIENTS - 1), statuses
    losers = [body for status, body in results if status == 400]
    assert all(
        body == {"success": "false", "message": "payment is already paid"} for body in losers
    )


@pytest.mark.skipif(
    connection.vendor != "mysql",
    reason="row locks are MariaDB's; SQLite is covered by the multi-process server test below",
)
@pytest.mark.django_db(transaction=True)
def test_fifty_threads_settle_one_invoice_once_on_mariadb(gateway_user):
    invoice = InvoiceFactory()
    payload = {"orderID": invoice.order_id, "billingNumber": invoice.number}

    def send():
        response = bearer_client(gateway_user).post("/updatePaymentStatus", payload, format="json")
        return response.status_code, response.json()

    _assert_exactly_one_winner(_settle_concurrently(send))
    assert Payment.objects.filter(invoice=invoice).count() == 1
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == (Invoice.Status.PAID, invoice.total)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _call(url, payload=None, token=None):
    request = urllib.request.Request(url, data=json.dumps(payload).encode() if payload else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.server
def test_fifty_clients_settle_one_invoice_once_on_sqlite_under_gunicorn(tmp_path):
    database = tmp_path / "billing.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "billing_site.settings.local",
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "concurrency-test-" + "x9" * 30,
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "-v0"], ["seed_demo"]):
        subprocess.run(
            manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120
        )
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "billing_site.wsgi",
            "--workers",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = _call(f"{base}/login", {"username": "admin", "password": "password"})
                break
            except (ConnectionError, urllib.error.URLError):
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert status == 200
        token = body["access_token"]
        payload = {"orderID": 4499494, "billingNumber": 333333}
        results = _settle_concurrently(lambda: _call(f"{base}/updatePaymentStatus", payload, token))
    finally:
        server.terminate()
        server.wait(timeout=30)
    _assert_exactly_one_winner(results)
    with sqlite3.connect(database) as db:
        payments = db.execute(
            "SELECT COUNT(*) FROM payments_payment p JOIN invoices_invoice i ON i.id = p.invoice_id"
            " WHERE i.number = '333333'"
        ).fetchone()[0]
        status = db.execute(
            "SELECT status FROM invoices_invoice WHERE number = '333333'"
        ).fetchone()
        logged = db.execute(
            "SELECT status_code, COUNT(*) FROM logs WHERE endpoint = '/updatePaymentStatus'"
            " GROUP BY status_code ORDER BY status_code"
        ).fetchall()
    assert payments == 1
    assert status == ("paid",)
    assert logged == [(200, 1), (400, CLIENTS - 1)]
