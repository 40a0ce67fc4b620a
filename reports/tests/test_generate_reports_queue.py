"""``generate_reports --queue``: one task per customer. Without a broker (these
tests) the tasks run in the command's process; faults/test_workers.py runs them
on real workers."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from invoices.tests.factories import CustomerFactory
from reports.models import BillingReport, OrderServiceCost
from reports.tasks import generate_report
from reports.tests.factories import make_orders

pytestmark = pytest.mark.django_db

JANUARY = datetime.date(2023, 1, 1), datetime.date(2023, 1, 31)


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("generate_reports", "--queue", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_without_a_broker_the_queued_reports_are_made_in_process_once_each():
    first, _, _ = make_orders(count=3)
    second, _, _ = make_orders(count=2)
    CustomerFactory()  # no orders, no task
    output, _ = run("--month", "2023-01", "-v", "2")
    assert "2 report(s) queued and made in this process" in output
    assert "2 generated, 0 replaced, 0 kept." in output
    reports = BillingReport.objects.order_by("customer_id")
    assert [(r.customer_id, r.order_count, str(r.total_amount)) for r in reports] == [
        (first.pk, 3, "45.00"),
        (second.pk, 2, "30.00"),
    ]
    output, _ = run("--month", "2023-01")
    assert "0 generated, 0 replaced, 2 kept." in output
    assert BillingReport.objects.count() == 2


def test_force_format_and_output_dir_reach_the_task(tmp_path, monkeypatch):
    _, orders, _ = make_orders(count=2)
    monkeypatch.chdir(tmp_path)  # a relative folder is made absolute for the workers
    run("--month", "2023-01", "--format", "csv", "--output-dir", "out", "--bom")
    report = BillingReport.objects.get()
    path = tmp_path / "out" / f"billing_report_{report.pk}.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbforder_id,service_id,")
    OrderServiceCost.objects.filter(order=orders[0]).update(amount_minor=1)
    output, _ = run("--month", "2023-01", "--force", "--format", "json", "--output-dir", "out")
    assert "0 generated, 1 replaced, 0 kept." in output
    replaced = BillingReport.objects.get()
    assert replaced.pk == report.pk and str(replaced.total_amount) == "15.02"
    assert (tmp_path / "out" / f"billing_report_{report.pk}.json").exists()


def test_a_customers_own_error_fails_the_run_after_the_others():
    fine, _, _ = make_orders(count=1)
    make_orders(count=1, costs={"Picking": 10**15})  # over 10 ** 13 USD
    err = StringIO()
    with pytest.raises(CommandError, match=r"^1 of 2 report\(s\) could not be generated\.$"):
        call_command("generate_reports", "--queue", "--month", "2023-01", stderr=err)
    assert "failed: A report's total must be at most 9,999,999,999,999.99 USD." in err.getvalue()
    assert list(BillingReport.objects.values_list("customer_id", flat=True)) == [fine.pk]


def test_queue_and_dry_run_are_not_both_given():
    with pytest.raises(CommandError, match="not allowed with argument"):
        run("--month", "2023-01", "--dry-run")


def test_the_task_of_a_deleted_customer_does_nothing():
    assert generate_report.apply(args=(10**9, "2023-01-01", "2023-01-31")).get() == (
        "failed: the customer no longer exists"
    )


def test_a_broker_that_does_not_answer_is_an_error_that_says_how_many_were_queued(broker_down):
    make_orders(count=1)
    with pytest.raises(
        CommandError, match=r"the broker did not take the task.*; 0 of 1 report\(s\) queued"
    ):
        run("--month", "2023-01")
    assert BillingReport.objects.count() == 0
