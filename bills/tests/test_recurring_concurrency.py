"""Recurring bills issued by runs side by side (two beats, a task given again, the
command while the beat runs): each period is billed once. In-process threads
need MariaDB's row locks (SQLite's test database is one in-memory connection)."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from bills import recurrence, services
from bills.models import Bill
from bills.services import collection_create
from bills.tests.test_bills_api import make_bill
from events.models import Event
from invoices.models import Invoice

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "mysql", reason="needs MariaDB's row locks"),
]

RUNS = 4
D = datetime.date.fromisoformat


def master_from(anchor: str, code: str) -> Bill:
    master = make_bill(collection_create(code=code, title="C"), due="2026-01-25")
    monthly = Bill.Recurring.MONTHLY
    Invoice.objects.filter(pk=master.invoice_id).update(issue_date=D(anchor))
    Bill.objects.filter(pk=master.pk).update(
        recurring=monthly, rbill_date=recurrence.next_date(D(anchor), monthly, D(anchor))
    )
    return master


def side_by_side(today: str) -> list[int]:
    """How many bills each of RUNS runs, started together, issued."""
    barrier = threading.Barrier(RUNS)

    def run():
        barrier.wait()
        try:
            return len(services.bills_recurring_issue(today=D(today)).issued)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=RUNS) as pool:
        return list(pool.map(lambda _: run(), range(RUNS)))


def test_runs_at_once_issue_each_period_once():
    masters = [master_from("2026-01-31", "a"), master_from("2026-01-15", "b")]
    counts = side_by_side("2026-04-30")
    assert sum(counts) == 6  # three periods of each master, once
    for master in masters:
        dates = list(
            Bill.objects.filter(master_bill=master)
            .order_by("rbill_date")
            .values_list("rbill_date", flat=True)
        )
        assert len(dates) == len(set(dates)) == 3
    assert [f"{d}" for d in dates] == ["2026-02-15", "2026-03-15", "2026-04-15"]
    created = Event.objects.filter(type="bill.created", data__bill_no__isnull=False).count()
    assert created == 2 + 6  # the masters' and each child's, once
    assert side_by_side("2026-04-30") == [0] * RUNS


def test_a_cancel_during_a_run_stops_the_series():
    master = master_from("2026-01-31", "c")
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        try:
            return len(services.bills_recurring_issue(today=D("2026-06-30")).issued)
        finally:
            connections.close_all()

    def cancel():
        barrier.wait()
        try:
            services.bill_update(bill=Bill.objects.get(pk=master.pk), cancel=True)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        issued = pool.submit(run)
        pool.submit(cancel).result()
        issued = issued.result()
    master.refresh_from_db()
    assert (master.rbill_date, master.recurring_stopped_at is not None) == (None, True)
    assert Bill.objects.filter(master_bill=master).count() == issued <= 5
    assert services.bills_recurring_issue(today=D("2026-12-31")).issued == []
