import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from invoices.tests.factories import CustomerFactory
from reports.models import BillingReport
from reports.tests.factories import make_orders

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("generate_reports", *args, stdout=out)
    return out.getvalue()


def test_one_report_per_customer_with_orders_and_safe_to_rerun():
    first, _, _ = make_orders(count=3)
    second, _, _ = make_orders(count=2)
    make_orders(count=2, start=datetime.date(2023, 3, 1))  # another month
    CustomerFactory()  # no orders
    output = run("--month", "2023-01")
    assert "2 report(s) generated." in output
    assert "[1/2]" in output and "[2/2]" in output
    reports = BillingReport.objects.order_by("customer_id")
    assert [(r.customer_id, r.order_count, str(r.total_amount)) for r in reports] == [
        (first.pk, 3, "45.00"),
        (second.pk, 2, "30.00"),
    ]
    assert {(r.start_date, r.end_date) for r in reports} == {
        (datetime.date(2023, 1, 1), datetime.date(2023, 1, 31))
    }
    assert "report exists, skipped" in run("--month", "2023-01")
    assert BillingReport.objects.count() == 2
    run("--month", "2023-01", "--force", "--customer", str(first.pk))
    assert BillingReport.objects.filter(customer=first).count() == 2


def test_start_end_and_files(tmp_path):
    customer, _, _ = make_orders(count=2)
    output = run(
        "--start",
        "2023-01-01",
        "--end",
        "2023-01-15",
        "--customer",
        str(customer.pk),
        "--format",
        "json",
        "--output-dir",
        str(tmp_path),
    )
    report = BillingReport.objects.get()
    path = tmp_path / f"billing_report_{report.pk}.json"
    assert f"wrote {path}" in output
    assert '"total_amount":30.00,' in path.read_text()  # the API's JSON, exact
    assert json.loads(path.read_text())["id"] == report.pk
    run(
        "--start",
        "2023-01-01",
        "--end",
        "2023-01-15",
        "--force",
        "--format",
        "pdf",
        "--output-dir",
        str(tmp_path),
    )
    assert next(tmp_path.glob("*.pdf")).read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--month", "2023-13"],
        ["--start", "2023-01-01"],
        ["--start", "2023-02-01", "--end", "2023-01-01"],
        ["--month", "2023-01", "--start", "2023-01-01"],
        ["--month", "2023-01", "--format", "csv", "--output-dir", "/no/such/dir"],
    ],
)
def test_bad_arguments_are_refused(args):
    with pytest.raises(CommandError):
        run(*args)
