"""A stalled MariaDB (SIGSTOP: connections stay open, nothing answers) and a
statement stuck on a lock are a 503 JSON within DATABASE_TIMEOUT_SECONDS (+ the
second a read waits after a statement's own bound), in each face's error shape,
and no gunicorn worker is killed for it; once the database answers again, so
does the service, with no restart."""

import collections
import concurrent.futures
import json
import time
import urllib.error

import MySQLdb

from billing_site.testing import PRODUCTION_ENV, http_call, serve

TIMEOUT = 3  # DATABASE_TIMEOUT_SECONDS of the server under test
CHECK = {"orderID": 4499494, "billingNumber": 333333}
PAY = {"orderID": "ORD-1001", "billingNumber": "INV-1001"}
LOGIN = {"username": "admin", "password": "password"}


def _calls(server):
    """One request per face: (name, url, payload, token)."""
    return [
        ("check", f"{server.base}/checkPaymentStatus", CHECK, server.token),
        ("update", f"{server.base}/updatePaymentStatus", PAY, server.token),
        ("invoices", f"{server.base}/api/v1/invoices/", None, server.token),
        ("login", f"{server.base}/login", LOGIN, None),
    ]


def _timed(call) -> tuple[str, int, object, float]:
    name, url, payload, token = call
    started = time.monotonic()
    try:
        status, body = http_call(url, payload, token)
    except (json.JSONDecodeError, urllib.error.URLError, OSError) as error:
        status, body = 0, repr(error)  # not JSON, or no answer at all
    return name, status, body, time.monotonic() - started


def _all_at_once(calls) -> list[tuple[str, int, object, float]]:
    with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(_timed, calls))


def _assert_unavailable(results) -> None:
    for name, status, body, seconds in results:
        assert status == 503, (name, status, body)
        assert seconds < TIMEOUT + 2, (name, seconds)
        if name in ("check", "update"):
            assert body["success"] == "false" and "database" in body["message"], body
        else:
            assert "database" in body["detail"], (name, body)


def test_a_stalled_database_is_a_bounded_503_and_the_service_recovers(tmp_path, mariadb):
    env = {**PRODUCTION_ENV, "DATABASE_URL": mariadb.url, "DATABASE_TIMEOUT_SECONDS": str(TIMEOUT)}
    with serve(tmp_path, workers=4, **env) as server:
        calls = _calls(server)
        warm_up = [call for call in calls if call[0] != "update"]  # pays once, after the stall
        assert [status for _, status, _, _ in _all_at_once(warm_up)] == [200] * 3
        workers = sorted(server.worker_pids())
        # Idle over a second, each worker pings its connection before using it again:
        # the ping that times out must fail the request, not wait for a new connection.
        time.sleep(1.5)
        mariadb.pause()
        try:
            # Each worker meets the stall once on its open connection (a ping or a
            # read that times out), then on connecting again (the handshake times out).
            stalled = _all_at_once(calls) + _all_at_once(calls)
        finally:
            mariadb.resume()
        _assert_unavailable(stalled)
        recovered, deadline = {}, time.monotonic() + 30
        while len(recovered) < len(calls) and time.monotonic() < deadline:
            pending = [call for call in calls if call[0] not in recovered]
            for name, status, body, _ in _all_at_once(pending):
                if status == 200:
                    recovered[name] = body
            time.sleep(0.2)
        assert sorted(recovered) == sorted(name for name, *_ in calls), recovered
        assert recovered["update"]["paymentStatus"] == "paid"
        assert sorted(server.worker_pids()) == workers  # none killed or replaced
    counted = collections.Counter(status for _, status, _, _ in stalled)
    slowest = max(seconds for *_, seconds in stalled)
    print(
        f"database stalled: {dict(counted)} by status (slowest {slowest:.1f} s, bound"
        f" {TIMEOUT + 2} s); resumed: 200 x {len(recovered)}; workers replaced: 0 of {len(workers)}"
    )


def test_a_statement_stuck_on_a_lock_is_a_503_within_the_timeout(tmp_path, mariadb):
    env = {**PRODUCTION_ENV, "DATABASE_URL": mariadb.url, "DATABASE_TIMEOUT_SECONDS": str(TIMEOUT)}
    with serve(tmp_path, workers=2, **env) as server:
        holder = MySQLdb.connect(host="127.0.0.1", port=mariadb.port, user="root", db="billing")
        try:
            cursor = holder.cursor()
            cursor.execute("BEGIN")
            cursor.execute("SELECT id FROM invoices_invoice FOR UPDATE")
            started = time.monotonic()
            status, body = http_call(f"{server.base}/updatePaymentStatus", PAY, server.token)
            seconds = time.monotonic() - started
            assert status == 503 and body["success"] == "false", (status, body)
            assert seconds < TIMEOUT + 1, seconds
        finally:
            holder.rollback()
            holder.close()
        status, body = http_call(f"{server.base}/updatePaymentStatus", PAY, server.token)
        assert status == 200 and body["paymentStatus"] == "paid", body
    print(
        f"row lock held: 503 after {seconds:.1f} s (bound {TIMEOUT + 1} s, InnoDB's own wait"
        " is 50 s); released: 200"
    )


def test_readyz_says_when_the_database_is_gone_and_when_it_is_back(tmp_path, mariadb):
    env = {**PRODUCTION_ENV, "DATABASE_URL": mariadb.url, "DATABASE_TIMEOUT_SECONDS": str(TIMEOUT)}
    with serve(tmp_path, workers=1, **env) as server:
        assert http_call(f"{server.base}/readyz")[0] == 200
        mariadb.stop()
        try:
            started = time.monotonic()
            status, body = http_call(f"{server.base}/readyz")
            seconds = time.monotonic() - started
            assert (status, body["status"]) == (503, "unavailable"), body
            assert body["checks"]["database"]["status"] == "error"
            assert seconds < TIMEOUT + 2, seconds
            assert http_call(f"{server.base}/healthz") == (200, {"status": "ok"})
        finally:
            mariadb.start()
        deadline = time.monotonic() + 30
        while (answer := http_call(f"{server.base}/readyz"))[0] != 200:
            assert time.monotonic() < deadline, answer
            time.sleep(0.5)
    print(f"database stopped: /readyz 503 in {seconds:.1f} s, /healthz 200; started: /readyz 200")
