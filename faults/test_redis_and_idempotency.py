"""Redis stopped, stalled and restarted under a production server: no 500, no
request held long, normal answers once it is back. A worker killed (``kill -9``,
or gunicorn's ``--timeout``) while it makes an idempotent payment: the retry with
the same key pays once, and not only after a day; killed after its payment
committed: the retry gets that payment's answer."""

import json
import os
import signal
import threading
import time
from collections import Counter

import MySQLdb
import redis

from billing_site.testing import PRODUCTION_ENV, serve

from .clients import call, query

# Rates that steady test traffic does not reach: what is counted here is outages.
UNTHROTTLED = {
    "THROTTLE_REPORTS": "100000/min",
    "THROTTLE_DEFAULT": "100000/min",
}


def invoice_id(mariadb, number="333333"):
    return query(mariadb, "SELECT id FROM invoices_invoice WHERE number = %s", number)[0][0]


def payments_of(mariadb, invoice):
    return query(mariadb, "SELECT COUNT(*) FROM payments_payment WHERE invoice_id = %s", invoice)[
        0
    ][0]


# -- Redis stopped, stalled, restarted ---------------------------------------------------


def test_redis_stopped_stalled_and_restarted_is_never_a_500(tmp_path, mariadb, redis_server):
    env = {
        **PRODUCTION_ENV,
        **UNTHROTTLED,
        "DATABASE_URL": mariadb.url,
        "REDIS_URL": redis_server.url,
        "REDIS_BREAKER_SECONDS": "2",
    }
    log = tmp_path / "gunicorn.log"
    args = ("--error-logfile", str(log), "--capture-output")
    with serve(tmp_path, workers=4, gunicorn_args=args, **env) as server:
        invoice = invoice_id(mariadb)
        rounds = Counter()
        lock = threading.Lock()

        def one_round(phase, n):
            answers = [
                call(server.base, "/login", {"username": "admin", "password": "password"}),
                call(
                    server.base,
                    "/checkPaymentStatus",
                    {"orderID": 4499494, "billingNumber": 333333},
                    server.token,
                ),
                call(server.base, "/api/v2/reports/", token=server.token),
                call(
                    server.base,
                    f"/api/v1/invoices/{invoice}/payments",
                    {"amount": "1", "method": "cash"},
                    server.token,
                    key=f"{phase}-{n}",
                ),
            ]
            with lock:
                for status, _, seconds in answers:
                    rounds[phase, status] += 1
                    rounds[phase, "slowest"] = max(rounds[phase, "slowest"], seconds)

        def phase(name, seconds, threads=4):
            until = time.monotonic() + seconds

            def loop(worker):
                n = 0
                while time.monotonic() < until:
                    one_round(name, f"{worker}-{n}")
                    n += 1

            workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
            for thread in workers:
                thread.start()
            for thread in workers:
                thread.join()

        phase("up", 2)
        redis_server.stop()
        phase("stopped", 5)
        redis_server.start()
        time.sleep(2.5)  # the breaker's pause: each worker tries Redis again
        phase("restarted", 2)
        redis_server.pause()
        try:
            phase("stalled", 5)
        finally:
            redis_server.resume()
        time.sleep(2.5)
        redis.Redis.from_url(redis_server.url).flushall()
        phase("resumed", 2)
        # Used again once back, with no restart: the workers' counters are there.
        in_redis = redis.Redis.from_url(redis_server.url).dbsize()
    paid = payments_of(mariadb, invoice)
    phases = ["up", "stopped", "restarted", "stalled", "resumed"]
    for name in phases:
        statuses = {k[1]: v for k, v in rounds.items() if k[0] == name and k[1] != "slowest"}
        print(
            f"redis {name}: "
            + ", ".join(f"{status} x {count}" for status, count in sorted(statuses.items()))
            + f"; slowest {rounds[name, 'slowest']:.2f} s"
        )
    posted = sum(
        count for (name, status), count in rounds.items() if status == 201 and name in phases
    )
    print(f"redis: payments made {paid}, POSTs answered 201: {posted}, keys in Redis {in_redis}")
    assert in_redis > 0
    for (name, status), count in rounds.items():
        if status == "slowest":
            # Without its timeouts a stalled Redis holds each call 5 s (redis-py's
            # default); "up" warms the workers up on a busy machine.
            assert name == "up" or count < 4, (name, count)
        else:
            assert status in (200, 201), (name, status, count, log.read_text()[-4000:])
    assert paid <= posted  # one payment per key: never more than the 201s


# -- A worker that dies while it pays ---------------------------------------------------


class InvoiceLock:
    """Holds an invoice's row lock from a connection of the test's own: a payment
    of it waits for the lock, as for a slow database, until ``release()``."""

    def __init__(self, mariadb, invoice):
        self.connection = MySQLdb.connect(
            host="127.0.0.1", port=mariadb.port, user="root", db="billing"
        )
        cursor = self.connection.cursor()
        cursor.execute("BEGIN")
        cursor.execute("SELECT id FROM invoices_invoice WHERE id = %s FOR UPDATE", (invoice,))

    def release(self):
        if self.connection is not None:
            self.connection.rollback()
            self.connection.close()
            self.connection = None


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def key_state(mariadb, key):
    rows = query(mariadb, "SELECT status_code FROM api_idempotencykey WHERE `key` = %s", key)
    return "none" if not rows else ("in flight" if rows[0][0] is None else rows[0][0])


def pay_while_its_worker_dies(tmp_path, mariadb, redis_server, *, kill, gunicorn_args=()):
    """An idempotent payment whose worker dies half-way (``kill(server, pid, lock)``),
    then the client's retries with the same key: what each got, and payments made."""
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": mariadb.url,
        "REDIS_URL": redis_server.url,
        "IDEMPOTENCY_LEASE_SECONDS": "6",
        "DATABASE_TIMEOUT_SECONDS": "20",  # the lock wait below is ours, not a fault
    }
    with serve(tmp_path, workers=1, gunicorn_args=gunicorn_args, **env) as server:
        invoice = invoice_id(mariadb)
        path, body = f"/api/v1/invoices/{invoice}/payments", {"amount": "7", "method": "cash"}
        first = {}
        lock = InvoiceLock(mariadb, invoice)
        try:
            thread = threading.Thread(
                target=lambda: first.update(
                    answer=call(server.base, path, body, server.token, key="dies")
                )
            )
            thread.start()
            wait_for(lambda: key_state(mariadb, "dies") == "in flight", 10, "key never claimed")
            time.sleep(0.3)  # in the handler, waiting for the invoice's lock
            (worker,) = server.worker_pids()
            how = kill(server, worker, lock)
            wait_for(lambda: worker not in server.worker_pids(), 20, "the worker lives on")
            thread.join(30)
        finally:
            lock.release()
        left = key_state(mariadb, "dies")
        began = time.monotonic()
        retries = []
        while True:
            status, content, _ = call(server.base, path, body, server.token, key="dies")
            retries.append(status)
            if status not in (0, 409):
                break
            assert time.monotonic() - began < 30, retries
            time.sleep(0.5)
        waited = time.monotonic() - began
        again = call(server.base, path, body, server.token, key="dies")
    counts = Counter(retries)
    print(
        f"{how}: first answer {first['answer'][0]}, key left {left}, retries "
        + ", ".join(f"{status} x {n}" for status, n in sorted(counts.items()))
        + f" over {waited:.1f} s, payments made {payments_of(mariadb, invoice)}"
    )
    assert status == 201, content
    assert (again[0], again[1]) == (201, content)  # the answer, replayed byte for byte
    assert payments_of(mariadb, invoice) == 1
    return left, counts, waited


def test_a_worker_killed_while_it_pays_leaves_a_key_a_retry_takes_over(
    tmp_path, mariadb, redis_server
):
    def kill(server, worker, lock):
        # The database stalls too: it learns of the lost connection only later.
        mariadb.pause()
        os.kill(worker, signal.SIGKILL)
        time.sleep(0.5)
        mariadb.resume()
        return "worker killed (kill -9)"

    left, counts, waited = pay_while_its_worker_dies(tmp_path, mariadb, redis_server, kill=kill)
    assert left == "in flight"  # nothing ran: the key waits out its lease (6 s)
    assert counts[409] >= 1  # held off at first, then taken over
    assert waited < 10


def test_a_worker_timed_out_by_gunicorn_while_it_pays_releases_its_key(
    tmp_path, mariadb, redis_server
):
    log = tmp_path / "gunicorn.log"

    def timed_out(server, worker, lock):
        # Past --timeout, gunicorn sends the worker SIGABRT (SystemExit in Python),
        # and SIGKILL on its next round, up to a second later. Stuck in the
        # database's client library, it would run no Python until then: its lock
        # wait ends at once, so it goes on in Python and stops as gunicorn asks.
        wait_for(lambda: f"WORKER TIMEOUT (pid:{worker})" in log.read_text(), 20, "no timeout")
        lock.release()
        return "worker timed out (gunicorn --timeout 2)"

    args = ("--timeout", "2", "--error-logfile", str(log), "--log-level", "info")
    left, counts, waited = pay_while_its_worker_dies(
        tmp_path, mariadb, redis_server, kill=timed_out, gunicorn_args=args
    )
    assert left == "none"  # released on its way out (SystemExit): no lease to wait out
    assert counts == {201: 1}  # so the retry pays at once
    assert waited < 5


def test_a_worker_killed_after_its_payment_committed_leaves_its_answer_to_the_retry(
    tmp_path, mariadb, redis_server
):
    # The payment and its answer committed; the worker dies before the client
    # hears of it (it waits to write its request log row, inline, into a table
    # the test holds locked). The retry must get that answer, not pay again.
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": mariadb.url,
        "REDIS_URL": redis_server.url,
        "REQUEST_LOG_WRITER": "inline",
        "DATABASE_TIMEOUT_SECONDS": "20",
    }
    with serve(tmp_path, workers=1, **env) as server:
        invoice = invoice_id(mariadb)
        path, body = f"/api/v1/invoices/{invoice}/payments", {"amount": "7", "method": "cash"}
        first = {}
        blocker = MySQLdb.connect(host="127.0.0.1", port=mariadb.port, user="root", db="billing")
        try:
            blocker.cursor().execute("LOCK TABLES logs WRITE")
            thread = threading.Thread(
                target=lambda: first.update(
                    answer=call(server.base, path, body, server.token, key="committed")
                )
            )
            thread.start()
            wait_for(lambda: key_state(mariadb, "committed") == 201, 10, "never committed")
            time.sleep(0.3)  # answered in the database, its log row waiting
            (worker,) = server.worker_pids()
            os.kill(worker, signal.SIGKILL)
            wait_for(lambda: worker not in server.worker_pids(), 20, "the worker lives on")
            thread.join(30)
        finally:
            blocker.close()  # and the table with it
        status, content, _ = call(server.base, path, body, server.token, key="committed")
    (payment,) = query(mariadb, "SELECT id FROM payments_payment WHERE invoice_id = %s", invoice)
    print(
        f"worker killed after its commit: first answer {first['answer'][0]}, retry {status}"
        f" (payment {json.loads(content)['id']}), payments made {payments_of(mariadb, invoice)}"
    )
    assert first["answer"][0] == 0  # the client never heard
    assert status == 201 and json.loads(content)["id"] == payment[0]
