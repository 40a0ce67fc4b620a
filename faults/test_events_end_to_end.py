"""Events end to end, on the processes of a deployment: two gunicorn servers, two
Celery workers as the Procfile starts them and the beat, on one private MariaDB
and one private Redis. Invoices are made and paid through both servers; webhook
receivers (``webhooks/tests/receiver.py``) check each delivery's signature with
the ``standardwebhooks`` package, as a real receiver would."""

import collections
import contextlib
import json
import os
import threading
import time
from pathlib import Path

from billing_site.testing import PRODUCTION_ENV, procfile_command, serve
from webhooks.tests.receiver import Receiver
from webhooks.tests.receiver import serve as serve_receiver

from .clients import call, query
from .processes import beat, broker_idle, wait_until, workers

# Retries a second apart and the beat's sweep every second: what takes hours in
# production takes seconds here. An attempt waits 2 s for its answer; a claim
# of a worker that died lapses 62 s after it was made (the timeout + 60 s).
FAST_RETRIES = {
    "WEBHOOKS_RETRY_SCHEDULE_SECONDS": "1,1,1,1,1",
    "WEBHOOKS_SWEEP_SECONDS": "1",
    "WEBHOOKS_TIMEOUT_SECONDS": "2",
    "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "1",
    "CELERY_TASK_TIME_LIMIT_SECONDS": "10",
    "CELERY_VISIBILITY_TIMEOUT_SECONDS": "12",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "THROTTLE_DEFAULT": "100000/min",
    "SECRET_KEY": "events-test-" + "x9" * 30,
}


@contextlib.contextmanager
def deployment(tmp_path: Path, mariadb, redis_server):
    """Two web servers (one seeds the database), two workers and the beat, all
    on one database and one broker; yields (servers, workers, broker URL) once
    the seed's own events are relayed, so what follows is the test's alone."""
    broker = redis_server.url.removesuffix("/0") + "/1"
    env = {
        **PRODUCTION_ENV,
        **FAST_RETRIES,
        "DATABASE_URL": mariadb.url,
        "REDIS_URL": redis_server.url,
        "CELERY_BROKER_URL": broker,
    }
    with contextlib.ExitStack() as stack:
        servers = []
        for name, seed in (("a", True), ("b", False)):
            directory = tmp_path / name
            directory.mkdir()
            spool = str(directory / "request-log-spool")
            servers.append(
                stack.enter_context(
                    serve(directory, workers=2, seed=seed, REQUEST_LOG_SPOOL_DIR=spool, **env)
                )
            )
        celery_env = {**os.environ, **env, "REQUEST_LOG_SPOOL_DIR": str(tmp_path / "spool")}
        started = stack.enter_context(workers(tmp_path, celery_env, procfile_command("worker")))
        stack.enter_context(beat(tmp_path, celery_env))
        wait_until(lambda: not unrelayed(mariadb), 120, "the seed's events relayed")
        wait_until(lambda: broker_idle(broker), 60, "the seed's tasks done")
        yield servers, started, broker


def unrelayed(mariadb) -> int:
    return query(mariadb, "SELECT COUNT(*) FROM events_event WHERE relayed_at IS NULL")[0][0]


def api(server, path: str, payload=None, key=None) -> dict:
    status, body, _ = call(server.base, path, payload, server.token, key)
    assert status in (200, 201), (path, status, body[:500])
    return json.loads(body)


def endpoint_for(server, receiver: Receiver, events=("*",)) -> int:
    """A webhook endpoint made through the API; the receiver is given its secret."""
    made = api(
        server,
        "/api/v1/webhook-endpoints/",
        {"url": receiver.url, "events": list(events), "description": "end to end"},
    )
    receiver.secret = made["secret"]
    return made["id"]


def bill_and_pay(make, pay, customer: int, number: int) -> int:
    """An invoice made through ``make``, paid in two parts through ``pay``."""
    invoice = api(
        make,
        "/api/v1/invoices/",
        {
            "customer_id": customer,
            "amount": "100.00",
            "date": "2026-12-01",
            "due_date": "2026-12-31",
        },
    )["id"]
    for part, amount in enumerate(("40.00", "60.00")):
        api(
            pay,
            f"/api/v1/invoices/{invoice}/payments",
            {"amount": amount, "method": "cash"},
            key=f"pay-{number}-{part}",
        )
    return invoice


def events_since(mariadb, first: str) -> dict[str, str]:
    """Each event written from ``first`` on: its id and type."""
    rows = query(
        mariadb,
        "SELECT id, type FROM events_event WHERE created_at >="
        " (SELECT created_at FROM events_event WHERE id = %s)",
        first,
    )
    return dict(rows)


def answered_ok(receiver: Receiver) -> set[str]:
    with receiver.lock:
        return {r.headers["webhook-id"] for r in receiver.received if r.answered == 204}


def test_every_event_reaches_every_endpoint_signed_through_two_servers_and_two_workers(
    tmp_path, mariadb, redis_server
):
    steady, flaky = Receiver(), Receiver(fail_first=3)
    receivers = [serve_receiver(steady), serve_receiver(flaky)]
    try:
        with deployment(tmp_path, mariadb, redis_server) as (servers, _, broker):
            a, b = servers
            for receiver in (steady, flaky):
                endpoint_for(a, receiver)
            customer = api(
                b,
                "/api/v1/customers/",
                {
                    "name": "End To End",
                    "email": "e2e@example.com",
                    "address": {"street": "1 Road", "city": "Town", "country": "US"},
                },
            )["id"]
            first = query(mariadb, "SELECT id FROM events_event ORDER BY created_at DESC")[0][0]
            # Six invoices, each made on one server and paid on the other, three at a
            # time; the document's sample record paid through the gateway face.
            flows = [
                threading.Thread(
                    target=bill_and_pay, args=(servers[n % 2], servers[1 - n % 2], customer, n)
                )
                for n in range(6)
            ]
            for batch in (flows[:3], flows[3:]):
                for flow in batch:
                    flow.start()
                for flow in batch:
                    flow.join()
            paid = api(b, "/updatePaymentStatus", {"orderID": 4499494, "billingNumber": 333333})
            assert paid["paymentStatus"] == "paid"
            expected = events_since(mariadb, first)
            expected.pop(first)  # the last of the earlier ones (or the customer's)
            took = wait_until(
                lambda: all(answered_ok(r) >= set(expected) for r in (steady, flaky)),
                90,
                "every event answered by both receivers",
            )
            wait_until(lambda: broker_idle(broker), 30, "every task acknowledged")
            time.sleep(2)  # nothing more arrives
    finally:
        for server in receivers:
            server.shutdown()
            server.server_close()
    types = collections.Counter(expected.values())
    assert types == {
        "invoice.created": 6,
        "invoice.issued": 6,
        "payment.succeeded": 13,
        "invoice.paid": 7,
    }, types
    for receiver in (steady, flaky):
        assert all(r.verified for r in receiver.received)  # signed with the endpoint's secret
        for r in receiver.received:
            assert r.payload["type"] == expected[r.headers["webhook-id"]]
    # The steady receiver got each event once: one delivery in flight per event.
    assert collections.Counter(r.headers["webhook-id"] for r in steady.received) == dict.fromkeys(
        expected, 1
    )
    # The flaky one answered its first three with a 500: each came again, with the
    # same id and body, until it was answered 204.
    refused = flaky.received[:3]
    assert [r.answered for r in refused] == [500, 500, 500]
    for r in refused:
        again = [x for x in flaky.received if x.headers["webhook-id"] == r.headers["webhook-id"]]
        assert [x.answered for x in again][-1] == 204
        assert {x.body for x in again} == {r.body}
    statuses = query(mariadb, "SELECT status, COUNT(*) FROM webhooks_delivery GROUP BY status")
    assert statuses == [("succeeded", 2 * len(expected))]
    failed_attempts = query(
        mariadb, "SELECT COUNT(*) FROM webhooks_deliveryattempt WHERE status_code = 500"
    )[0][0]
    assert failed_attempts == 3
    print(
        f"end to end: {len(expected)} events of 6 invoices and the gateway's payment, made on"
        f" 2 servers, delivered to 2 endpoints by 2 workers {took:.1f} s after the last"
        f" payment; {len(flaky.received) - len(expected)} re-sent with their id after 500s"
    )


def sender_pid(port: int) -> int | None:
    """The process that holds the TCP socket whose local port is ``port``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        with contextlib.suppress(OSError):
            if os.readlink(fd) in inodes:
                return int(fd.parts[2])
    return None


def test_a_delivery_whose_worker_is_killed_mid_post_is_sent_again_with_the_same_id(
    tmp_path, mariadb, redis_server
):
    holding = threading.Event()
    release = threading.Event()
    senders = []

    def hold_the_first(client_port):
        if not senders:
            senders.append(sender_pid(client_port))
            holding.set()
            release.wait(30)

    receiver = Receiver(on_request=hold_the_first)
    server = serve_receiver(receiver)
    try:
        with deployment(tmp_path, mariadb, redis_server) as (servers, started, _):
            a, b = servers
            endpoint_for(a, receiver, events=["invoice.paid"])
            api(b, "/updatePaymentStatus", {"orderID": 4499494, "billingNumber": 333333})
            assert holding.wait(30), "no delivery arrived"
            [victim] = [worker for worker in started if worker.holds(senders[0])]
            victim.kill()  # in the middle of its POST
            killed = time.monotonic()
            release.set()
            wait_until(lambda: len(receiver.received) == 2, 120, "sent again")
            took = time.monotonic() - killed
            time.sleep(3)  # and not a third time
    finally:
        release.set()
        server.shutdown()
        server.server_close()
    first, again = receiver.received  # the killed attempt reached the receiver
    assert again.answered == 204
    assert first.headers["webhook-id"] == again.headers["webhook-id"]
    assert first.body == again.body and first.verified and again.verified
    assert first.payload["type"] == "invoice.paid"
    delivery = query(mariadb, "SELECT status, attempts, failures FROM webhooks_delivery")
    assert delivery == [("succeeded", 2, 0)]  # the killed attempt counted, never recorded
    attempts = query(mariadb, "SELECT status_code FROM webhooks_deliveryattempt")
    assert attempts == [(204,)]
    assert took > 50  # the dead worker's claim lapsed first
    print(
        f"kill -9 of {victim.name} during its POST: the other worker sent the same webhook-id"
        f" {took:.1f} s later, once its claim had lapsed"
    )
