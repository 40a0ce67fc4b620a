"""Hostile bodies against a production server on MariaDB (whose utf8mb4 columns
refuse what SQLite would keep): each is a 4xx, never a 500, each has its row in
``logs``, and no secret or card number in them is stored anywhere."""

import http.client
import json
import os
import time
import urllib.parse

import MySQLdb

from billing_site.testing import PRODUCTION_ENV, serve
from faults.clients import open_invoice

CARD = "4242 4242 4242 4242"


def send(base: str, method: str, path: str, body: bytes = b"", headers=None):
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader("X-Request-ID"), response.read()
    finally:
        connection.close()


def hostile_requests(token: str, invoice_id: int, receipt_path: str):
    auth = {"Authorization": f"Bearer {token}"}
    as_json = {"Content-Type": "application/json"}
    return [
        ("POST", "/login", b'{"token": "x", "note": "\\ud800", "password": "S3cret-1"}', as_json),
        (
            "POST",
            "/login",
            b'"username" "admin"\n"password" "S3cret-2"',
            {"Content-Type": "text/plain"},
        ),
        (
            "POST",
            "/login",
            json.dumps({"username": "admin", "password": "S3cret-3"}).encode("utf-16"),
            {"Content-Type": "application/json; charset=utf-16"},
        ),
        (
            "POST",
            "/login",
            json.dumps({"username": "admin", "password": "S3cret-4"}).encode("utf-32"),
            {"Content-Type": "application/json; charset=utf-32"},
        ),
        (
            "POST",
            f"/api/v1/invoices/{invoice_id}/payments",
            json.dumps({"amount": "1.00", "method": "manual", "reference": CARD}).encode(),
            {**as_json, **auth},
        ),
        ("POST", "/checkPaymentStatus", os.urandom(512), {**as_json, **auth}),
        ("POST", "/checkPaymentStatus", b'{"orderID": "\xff\xfe", "billingNumber": 1}', auth),
        (
            "POST",
            "/api/payments/callback/sandbox",
            b'{"bill_no": "\\ud83d", "signature": "S3cret-5"}',
            as_json,
        ),
        ("GET", "/api/docs/", b"", {}),
        ("GET", receipt_path + "?signature=S3cret-6", b"", {}),
    ]


def test_hostile_bodies_are_refused_logged_and_never_store_a_secret(tmp_path, mariadb):
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": mariadb.url,
        "REQUEST_LOG_SPOOL_DIR": str(tmp_path / "spool"),
    }
    with serve(tmp_path, workers=2, **env) as server:
        invoice_id = open_invoice(server.base, server.token)  # customer 1's
        status, _, body = send(
            server.base,
            "GET",
            f"/api/v1/get_invoice_receipt/1/{invoice_id}",
            headers={"Authorization": f"Bearer {server.token}"},
        )
        receipt = urllib.parse.urlsplit(json.loads(body)["message"]).path if status == 200 else ""
        answers = [
            (path, *send(server.base, method, path, raw, headers)[:2])
            for method, path, raw, headers in hostile_requests(server.token, invoice_id, receipt)
            if path
        ]
        connection = MySQLdb.connect(
            host="127.0.0.1", port=mariadb.port, user="root", db="billing", charset="utf8mb4"
        )
        deadline = time.monotonic() + 30
        while True:
            connection.commit()
            cursor = connection.cursor()
            cursor.execute(
                "SELECT request_id, endpoint, query_string, request_body, response_body FROM logs"
            )
            rows = {row[0]: row[1:] for row in cursor.fetchall()}
            missing = [path for path, _, request_id in answers if request_id not in rows]
            if not missing or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        cursor.execute(
            "SELECT COUNT(*) FROM payments_payment WHERE provider_reference LIKE '%4242%'"
        )
        (card_payments,) = cursor.fetchone()
        connection.close()
    statuses = [(path, status) for path, status, _ in answers]
    stored = "\n".join(str(value) for row in rows.values() for value in row)
    leaked = [s for s in ("S3cret-", CARD, "4242424242424242") if s in stored]
    signature = receipt.rsplit(":", 1)[-1].removesuffix(".pdf") if receipt else None
    print(
        f"\nhostile bodies: {len(answers)} sent, statuses {statuses}; "
        f"rows missing {len(missing)}; secrets stored {leaked}; card payments {card_payments}"
    )
    assert all(status < 500 for _, status in statuses), statuses
    assert not missing
    assert not leaked
    assert card_payments == 0
    assert receipt and signature not in stored
