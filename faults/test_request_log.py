"""Nothing answered goes unlogged: workers killed with SIGKILL under load, the
database killed and restarted, the database stalled. Every request a client got
an answer to has its row in ``logs`` once the database is back, exactly once."""

import http.client
import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
import uuid

import MySQLdb

from billing_site.testing import PRODUCTION_ENV, serve
from faults.clients import open_invoice


class Load:
    """Clients sending requests in a loop from threads; each keeps the request id
    of every answer it got (whatever the status)."""

    def __init__(self, base: str, token: str, invoice_id: int, threads: int = 6):
        self.base, self.token, self.invoice_id = base, token, invoice_id
        self.answered: dict[str, int] = {}
        self.payments: list[str] = []
        self.lost = 0  # requests that got no answer (their worker was killed)
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,)) for n in range(threads)]

    def _request(self, n: int, count: int):
        if count % 3 == 0:
            return "/checkPaymentStatus", {"orderID": 4499494, "billingNumber": 333333}
        if count % 3 == 1 and n % 2 == 0:
            return f"/api/v1/invoices/{self.invoice_id}/payments", {
                "amount": "0.01",
                "method": "manual",
            }
        return "/getAllBilling?status=unpaid", None

    def _run(self, n: int):
        count = 0
        while not self._stop.is_set():
            count += 1
            path, payload = self._request(n, count)
            request_id = uuid.uuid4().hex
            request = urllib.request.Request(
                self.base + path, data=json.dumps(payload).encode() if payload else None
            )
            request.add_header("Authorization", f"Bearer {self.token}")
            request.add_header("Content-Type", "application/json")
            request.add_header("X-Request-ID", request_id)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status = self.answered[request_id] = response.status
                    response.read()  # a stream cut by a kill was answered all the same
            except urllib.error.HTTPError as error:
                status = self.answered[request_id] = error.code
            except (OSError, http.client.HTTPException):
                if request_id not in self.answered:
                    self.lost += 1
                time.sleep(0.05)
                continue
            if status == 201 and "payments" in path:
                self.payments.append(request_id)

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    def statuses(self) -> dict[int, int]:
        counted: dict[int, int] = {}
        for status in self.answered.values():
            counted[status] = counted.get(status, 0) + 1
        return counted


def logged_ids(mariadb) -> list[str]:
    connection = MySQLdb.connect(host="127.0.0.1", port=mariadb.port, user="root", db="billing")
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT request_id FROM logs")
        return [row[0] for row in cursor.fetchall()]
    finally:
        connection.close()


def wait_until_logged(mariadb, load: Load, timeout: float = 60) -> tuple[set, list]:
    """(answered ids missing from logs, ids logged more than once) once all are in,
    or when the time is up."""
    deadline = time.monotonic() + timeout
    while True:
        ids = logged_ids(mariadb)
        missing = set(load.answered) - set(ids)
        if not missing or time.monotonic() > deadline:
            seen: set = set()
            twice = [i for i in ids if i in load.answered and (i in seen or seen.add(i))]
            return missing, twice
        time.sleep(0.5)


def production(mariadb, tmp_path, **env):
    return {
        **PRODUCTION_ENV,
        "DATABASE_URL": mariadb.url,
        "REQUEST_LOG_SPOOL_DIR": str(tmp_path / "spool"),
        **env,
    }


def test_workers_killed_under_load_lose_no_answered_row(tmp_path, mariadb):
    with serve(tmp_path, workers=4, **production(mariadb, tmp_path)) as server:
        invoice = open_invoice(server.base, server.token)
        with Load(server.base, server.token, invoice) as load:
            kills = 0
            for _ in range(3):
                time.sleep(1.5)
                victim = server.worker_pids()[0]
                os.kill(victim, signal.SIGKILL)
                kills += 1
            time.sleep(1.5)
        missing, twice = wait_until_logged(mariadb, load)
        print(
            f"\nworkers killed: {kills}; answered {len(load.answered)} {load.statuses()}, "
            f"unanswered {load.lost}; payments {len(load.payments)}; "
            f"rows missing {len(missing)}, rows twice {len(twice)}"
        )
        assert len(load.answered) > 100
        assert load.payments
        assert not missing
        assert not twice


def test_a_database_killed_and_restarted_loses_no_answered_row(tmp_path, mariadb):
    env = production(mariadb, tmp_path, DATABASE_TIMEOUT_SECONDS="2")
    with serve(tmp_path, workers=4, **env) as server:
        invoice = open_invoice(server.base, server.token)
        with Load(server.base, server.token, invoice) as load:
            time.sleep(2)
            before = len(load.answered)
            mariadb.kill()
            time.sleep(4)
            during = load.statuses().get(503, 0)
            mariadb.start()
            time.sleep(4)
        missing, twice = wait_until_logged(mariadb, load)
        print(
            f"\ndatabase killed and restarted: answered {len(load.answered)} {load.statuses()} "
            f"({before} before the kill, {during} 503s while it was down), "
            f"payments {len(load.payments)}; rows missing {len(missing)}, twice {len(twice)}"
        )
        assert during > 0
        assert 500 not in load.statuses()
        assert not missing
        assert not twice


def test_a_stalled_database_loses_no_answered_row(tmp_path, mariadb):
    env = production(mariadb, tmp_path, DATABASE_TIMEOUT_SECONDS="2")
    with serve(tmp_path, workers=4, **env) as server:
        invoice = open_invoice(server.base, server.token)
        with Load(server.base, server.token, invoice) as load:
            time.sleep(2)
            mariadb.pause()
            time.sleep(6)
            mariadb.resume()
            time.sleep(4)
        missing, twice = wait_until_logged(mariadb, load)
        print(
            f"\ndatabase stalled 6 s: answered {len(load.answered)} {load.statuses()}, "
            f"unanswered {load.lost}; rows missing {len(missing)}, twice {len(twice)}"
        )
        assert load.statuses().get(503, 0) > 0  # the stall was felt
        assert 500 not in load.statuses()
        assert not missing
        assert not twice
