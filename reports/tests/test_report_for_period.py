"""Two runs of a customer's report of a period at once make one report: the
second waits for the first and finds its report. In-process threads need
MariaDB's locks; on SQLite, two real processes do it
(``billing_site/tests/test_commands_for_cron.py``)."""

import datetime
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from reports.models import BillingReport
from reports.services import PeriodOutcome, report_for_period
from reports.tests.factories import make_orders

START, END = datetime.date(2023, 1, 1), datetime.date(2023, 1, 31)


@pytest.mark.skipif(connection.vendor != "mysql", reason="in-process threads need MariaDB")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "replace,outcomes",
    [(False, ["created", "kept"]), (True, ["created", "replaced"])],
)
def test_two_runs_at_once_make_one_report(replace, outcomes):
    customer, _, _ = make_orders(count=3)
    inside, release = threading.Event(), threading.Event()

    def hold(report, outcome):  # the first run, its report made, before its commit
        inside.set()
        assert release.wait(20)

    def make(then):
        try:
            return report_for_period(
                customer=customer, start_date=START, end_date=END, replace=replace, then=then
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(make, hold)
        assert inside.wait(20)
        second = pool.submit(make, None)
        time.sleep(0.5)
        assert not second.done()  # it waits for the first run's lock
        release.set()
        (made, first_outcome), (found, second_outcome) = first.result(20), second.result(20)
    assert [first_outcome, second_outcome] == outcomes
    assert all(isinstance(outcome, PeriodOutcome) for outcome in (first_outcome, second_outcome))
    assert made.pk == found.pk
    assert list(BillingReport.objects.values_list("pk", flat=True)) == [made.pk]
