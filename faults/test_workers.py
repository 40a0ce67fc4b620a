"""Background work on real Celery workers: two worker processes with the
production settings, a private Redis as their broker and a private MariaDB that
they and the test share. Ledger changes are made by other processes
(``manage.py shell``, ``generate_reports``); what the workers did is read from
the database, the broker and the record the test's event handler keeps
(``faults/recording_worker.py``)."""

import collections
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from billing_site.faults import mariadb_available, private_mariadb
from billing_site.testing import PRODUCTION_ENV, ROOT, procfile_command

from .clients import query
from .processes import CELERY, broker_idle, log_messages, wait_until, workers

# The project's app with a handler that records each event it sees.
RECORDING_WORKER = [CELERY, "-A", "faults.recording_worker", "worker", "--loglevel", "INFO"]
RECORDING_WORKER += ["--concurrency", "1"]
SECRET_KEY = "workers-test-" + "x9" * 30


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A private MariaDB with the project's tables, for every test of the module
    (each makes data of its own and counts only that)."""
    if not mariadb_available():
        pytest.skip("needs mariadbd and mariadb-install-db")
    with private_mariadb(tmp_path_factory.mktemp("mariadb")) as server:
        env = {**os.environ, **PRODUCTION_ENV, "SECRET_KEY": SECRET_KEY, "DATABASE_URL": server.url}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=600,
        )
        yield server


def production_env(tmp_path: Path, database, broker, **extra) -> dict:
    """What the web, worker and command processes of a deployment are given."""
    return {
        **os.environ,
        **PRODUCTION_ENV,
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database.url,
        "CELERY_BROKER_URL": broker.url,
        "REQUEST_LOG_SPOOL_DIR": str(tmp_path / "request-log-spool"),
        "RECORD_FILE": str(tmp_path / "handled.log"),
        **extra,
    }


# The factories number from where the earlier processes stopped.
FACTORIES = """
from invoices.models import Customer, Invoice
from invoices.tests.factories import CustomerFactory, InvoiceFactory
CustomerFactory.reset_sequence(Customer.objects.count())
InvoiceFactory.reset_sequence(Invoice.objects.count())
"""


def django(env: dict, code: str) -> dict:
    """Run ``code`` in a Django process of the deployment's; the JSON it prints last."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", FACTORIES + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def invoices_made(env: dict, count: int, *, pay: bool) -> list[str]:
    """``count`` invoices issued (each its own transaction), and paid when ``pay``;
    the ids of the events they wrote."""
    return django(
        env,
        f"""
import json
from decimal import Decimal
from events.models import Event
from invoices.tests.factories import InvoiceFactory
from payments.services import payment_record
last = Event.objects.order_by("-id").values_list("pk", flat=True).first() or ""
for _ in range({count}):
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    if {pay}:
        payment_record(invoice_id=invoice.pk, amount=Decimal("100.00"), method="cash")
print(json.dumps(list(Event.objects.filter(pk__gt=last).values_list("pk", flat=True))))
""",
    )


def relayed(database, ids: list[str]) -> int:
    marks = ", ".join(["%s"] * len(ids))
    sql = f"SELECT COUNT(*) FROM events_event WHERE relayed_at IS NOT NULL AND id IN ({marks})"
    return query(database, sql, *ids)[0][0]


def handled(tmp_path: Path) -> list[tuple[str, str, int]]:
    """The record's lines: (start|done, event id, pid)."""
    path = tmp_path / "handled.log"
    if not path.exists():
        return []
    return [
        (kind, event, int(pid))
        for kind, event, pid in (line.split() for line in path.read_text().splitlines())
    ]


def test_the_workers_relay_each_committed_event_once(tmp_path, database, redis_server):
    env = production_env(tmp_path, database, redis_server)
    with workers(tmp_path, env, RECORDING_WORKER):
        ids = invoices_made(env, 10, pay=True)
        took = wait_until(lambda: relayed(database, ids) == len(ids), 60, "events relayed")
        wait_until(lambda: broker_idle(redis_server.url), 30, "queue drained")
    assert len(ids) == 10 * 4  # invoice.created, invoice.issued, payment.succeeded, invoice.paid
    records = handled(tmp_path)
    for kind in ("start", "done"):
        counted = collections.Counter(event for k, event, _ in records if k == kind)
        assert counted == dict.fromkeys(ids, 1), kind
    processes = collections.Counter(pid for kind, _, pid in records if kind == "done")
    print(
        f"relay: {len(ids)} events of 20 transactions, all relayed {took:.1f} s after the"
        f" process that made them exited, each handled once, by {len(processes)} worker"
        f" processes {dict(processes)}"
    )


def test_two_queued_runs_at_once_make_each_customers_report_once(tmp_path, database, redis_server):
    customers = 6
    env = production_env(tmp_path, database, redis_server)
    made = django(
        env,
        f"""
import json
from reports.tests.factories import make_orders
ids = [make_orders(count=1500)[0].pk for _ in range({customers})]
print(json.dumps(ids))
""",
    )
    output = tmp_path / "reports"
    run = [sys.executable, "manage.py", "generate_reports", "--queue", "--month", "2023-01"]
    run += ["--format", "csv", "--output-dir", str(output)]
    with workers(tmp_path, env, procfile_command("worker")):
        runs = [
            subprocess.Popen(run, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        said = [process.communicate(timeout=120)[0] for process in runs]
        assert [process.returncode for process in runs] == [0, 0], said
        for text in said:
            assert f"{customers} report(s) queued." in text
        took = wait_until(lambda: broker_idle(redis_server.url), 120, "queue drained")
    marks = ", ".join(["%s"] * len(made))
    reports = query(
        database,
        "SELECT customer_id, COUNT(*) FROM reports_billingreport WHERE start_date = '2023-01-01'"
        f" AND end_date = '2023-01-31' AND customer_id IN ({marks}) GROUP BY customer_id",
        *made,
    )
    assert sorted(reports) == sorted((customer, 1) for customer in made)
    events = query(
        database,
        "SELECT COUNT(*) FROM events_event WHERE type = 'report.generated'"
        f" AND customer_id IN ({marks})",
        *made,
    )
    assert events == [(customers,)]
    files = sorted(path.name for path in output.iterdir())
    report_ids = [row[0] for row in query(database, "SELECT id FROM reports_billingreport")]
    assert files == sorted(f"billing_report_{pk}.csv" for pk in report_ids)  # nothing half-written
    logs = "".join(path.read_text() for path in tmp_path.glob("w?.log"))
    outcomes = (
        collections.Counter(  # "Task reports.tasks.generate_report[...] succeeded ...: 'kept'"
            line.rsplit(": ", 1)[1].strip("'")
            for line in log_messages(logs)
            if "reports.tasks.generate_report[" in line and " succeeded in " in line
        )
    )
    assert outcomes == {"created": customers, "kept": customers}
    print(
        f"reports: 2 runs x {customers} tasks on 2 workers, all acknowledged {took:.1f} s after"
        f" both runs returned;"
        f" {customers} reports, {len(files)} files; task outcomes {dict(outcomes)}"
    )


@pytest.mark.parametrize("killed", ["worker", "pool process"])
def test_a_task_of_a_killed_worker_is_given_again_and_done_once(
    tmp_path, database, redis_server, killed
):
    """The whole worker killed (a lost machine): Redis gives its task to the other
    once the visibility timeout has passed. Only the pool process that ran it
    killed (the OOM killer): its worker gives the task back at once (acks late,
    reject on worker lost)."""
    # Each event's handler takes 2 s; the time limit is 10 s, the visibility
    # timeout (which must be longer) 12 s.
    env = production_env(
        tmp_path,
        database,
        redis_server,
        RECORD_HANDLER_SECONDS="2",
        CELERY_TASK_TIME_LIMIT_SECONDS="10",
        CELERY_VISIBILITY_TIMEOUT_SECONDS="12",
    )
    with workers(tmp_path, env, RECORDING_WORKER) as started:
        ids = invoices_made(env, 1, pay=False)  # one transaction: one relay task, 2 events
        wait_until(lambda: handled(tmp_path), 30, "the relay began")
        [(_, first, pid)] = handled(tmp_path)
        [victim] = [worker for worker in started if worker.holds(pid)]
        if killed == "worker":
            victim.kill()
        else:
            os.kill(pid, signal.SIGKILL)
        assert relayed(database, ids) == 0  # its transaction died with it
        took = wait_until(lambda: relayed(database, ids) == len(ids), 60, "relayed again")
        wait_until(lambda: broker_idle(redis_server.url), 30, "acknowledged")
        time.sleep(3)  # and not given a third time
    records = handled(tmp_path)
    done = collections.Counter(event for kind, event, _ in records if kind == "done")
    assert done == dict.fromkeys(ids, 1)
    assert [event for kind, event, _ in records if kind == "start"].count(first) == 2
    assert pid not in {p for kind, _, p in records if kind == "done"}
    # Given again after the visibility timeout (12 s from its delivery, just before
    # the kill), then 2 x 2 s to run; or at once, and the 4 s.
    if killed == "worker":
        assert took > 12
    else:
        assert took < 12
    print(
        f"kill -9 of {victim.name}'s {killed} in the middle of a relay: given again and"
        f" committed {took:.1f} s later (visibility timeout 12 s), each event handled to the"
        " end once"
    )


def test_a_change_made_while_the_broker_is_down_is_relayed_once_it_is_back(
    tmp_path, database, redis_server
):
    env = production_env(tmp_path, database, redis_server, EVENTS_RELAY_GRACE_SECONDS="1")
    with workers(tmp_path, env, RECORDING_WORKER):
        redis_server.stop()
        started = time.monotonic()
        ids = invoices_made(env, 1, pay=True)  # commits: the relay's queueing fails after
        change = time.monotonic() - started
        assert len(ids) == 4
        time.sleep(3)
        assert relayed(database, ids) == 0  # waiting, not lost
        redis_server.start()  # the same port, empty
        subprocess.run(
            [CELERY, "-A", "billing_site", "call", "events.tasks.relay_pending"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )
        took = wait_until(lambda: relayed(database, ids) == len(ids), 90, "relayed after")
        wait_until(lambda: broker_idle(redis_server.url), 30, "acknowledged")
    # The sweep relays every event left unrelayed, this change's and any an earlier
    # test's killed process had not queued yet (a process queues its relays a fifth
    # of a second after commit): each of this change's events is handled once.
    done = collections.Counter(
        event for kind, event, _ in handled(tmp_path) if kind == "done" and event in ids
    )
    assert done == dict.fromkeys(ids, 1)
    print(
        f"broker down: the change committed in {change:.1f} s (its process included), its"
        f" {len(ids)} events waited; broker back: relayed by the sweep {took:.1f} s after it was"
        " queued, once"
    )
