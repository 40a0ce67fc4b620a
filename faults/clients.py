"""What the fault tests' clients share."""

import json
import time
import urllib.error
import urllib.request

import MySQLdb


def open_invoice(base: str, token: str) -> int:
    """A large open invoice that the load pays a cent at a time."""

    def call(path, payload):
        request = urllib.request.Request(base + path, data=json.dumps(payload).encode())
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    invoice = call(
        "/api/v1/invoices/",
        {"customer_id": 1, "amount": "100000.00", "date": "2026-01-01", "due_date": "2026-02-01"},
    )
    if invoice["status"] == "draft":
        call(f"/api/v1/invoices/{invoice['id']}/issue", {})
    return invoice["id"]


def call(base, path, payload=None, token=None, key=None):
    """(status, body bytes, seconds taken) of one request; status 0 if the
    connection broke (its worker was killed)."""
    request = urllib.request.Request(
        f"{base}{path}", data=None if payload is None else json.dumps(payload).encode()
    )
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if key:
        request.add_header("Idempotency-Key", key)
    began = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    except (ConnectionError, urllib.error.URLError):
        status, body = 0, b""
    return status, body, time.monotonic() - began


def query(mariadb, sql, *args):
    connection = MySQLdb.connect(host="127.0.0.1", port=mariadb.port, user="root", db="billing")
    try:
        cursor = connection.cursor()
        cursor.execute(sql, args)
        return list(cursor.fetchall())
    finally:
        connection.close()
