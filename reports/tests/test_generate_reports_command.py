import csv
import datetime
import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from invoices.tests.factories import CustomerFactory
from reports.models import BillingReport, BillingReportLine, OrderServiceCost
from reports.services import report_generate
from reports.tests.factories import make_orders

pytestmark = pytest.mark.django_db

JANUARY = datetime.date(2023, 1, 1), datetime.date(2023, 1, 31)


def run(*args):
    out = StringIO()
    call_command("generate_reports", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def period_reports(customer):
    start, end = JANUARY
    return BillingReport.objects.filter(customer=customer, start_date=start, end_date=end)


def test_one_report_per_customer_with_orders_and_safe_to_rerun():
    first, _, _ = make_orders(count=3)
    second, _, _ = make_orders(count=2)
    make_orders(count=2, start=datetime.date(2023, 3, 1))  # another month
    CustomerFactory()  # no orders
    output = run("--month", "2023-01", "-v", "2")
    assert "2 report(s) generated, 0 replaced, 0 kept." in output
    assert "[1/2]" in output and "[2/2]" in output
    reports = BillingReport.objects.order_by("customer_id")
    assert [(r.customer_id, r.order_count, str(r.total_amount)) for r in reports] == [
        (first.pk, 3, "45.00"),
        (second.pk, 2, "30.00"),
    ]
    assert {(r.start_date, r.end_date) for r in reports} == {JANUARY}
    rerun = run("--month", "2023-01", "-v", "2")
    assert "exists, kept" in rerun and "0 report(s) generated, 0 replaced, 2 kept." in rerun
    assert BillingReport.objects.count() == 2


def test_force_replaces_the_report_in_place_from_the_orders_as_they_are_now():
    customer, orders, _ = make_orders(count=3)
    run("--month", "2023-01")
    report = period_reports(customer).get()
    OrderServiceCost.objects.filter(order=orders[0]).update(amount_minor=1)
    old_lines = set(BillingReportLine.objects.filter(report=report).values_list("pk", flat=True))
    for _ in range(2):
        output = run("--month", "2023-01", "--force", "--customer", str(customer.pk))
        assert "0 report(s) generated, 1 replaced, 0 kept." in output
    replaced = period_reports(customer).get()  # still one, under the same id
    assert replaced.pk == report.pk
    assert str(replaced.total_amount) == "30.02"  # 2 x 15.00 + 2 x 0.01
    assert replaced.created_at > report.created_at
    lines = BillingReportLine.objects.filter(report=replaced)
    assert lines.count() == 6 and not old_lines & set(lines.values_list("pk", flat=True))


def test_force_replaces_the_latest_of_several_and_leaves_the_others():
    """The API may have made several reports of a period (each a snapshot)."""
    customer, _, _ = make_orders(count=1)
    older, latest = (
        report_generate(customer=customer, start_date=JANUARY[0], end_date=JANUARY[1])
        for _ in range(2)
    )
    run("--month", "2023-01", "--force")
    assert sorted(period_reports(customer).values_list("pk", flat=True)) == [older.pk, latest.pk]
    latest.refresh_from_db()
    assert latest.created_at > older.created_at


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
        "-v",
        "2",
    )
    report = BillingReport.objects.get()
    path = tmp_path / f"billing_report_{report.pk}.json"
    assert f"wrote {path}" in output
    assert "1 report(s) generated, 0 replaced, 0 kept; 1 file(s) written." in output
    assert '"total_amount":30.00,' in path.read_text()  # the API's JSON, exact
    assert json.loads(path.read_text())["id"] == report.pk
    run(
        *("--start", "2023-01-01", "--end", "2023-01-15", "--force", "--format", "pdf"),
        *("--output-dir", str(tmp_path)),
    )
    assert (tmp_path / f"billing_report_{report.pk}.pdf").read_bytes().startswith(b"%PDF")
    assert BillingReport.objects.count() == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"billing_report_{report.pk}.json",
        f"billing_report_{report.pk}.pdf",
    ]  # no temporary or previous file left behind


def test_a_rerun_with_a_format_writes_the_missing_file_of_an_existing_report(tmp_path):
    make_orders(count=2)
    run("--month", "2023-01")
    report = BillingReport.objects.get()
    args = ["--month", "2023-01", "--format", "csv", "--output-dir", str(tmp_path)]
    assert "0 report(s) generated, 0 replaced, 1 kept; 1 file(s) written." in run(*args)
    path = tmp_path / f"billing_report_{report.pk}.csv"
    assert path.read_bytes().startswith(b"order_id,service_id,service_name,amount\r\n")
    assert BillingReport.objects.get().created_at == report.created_at  # not made again
    path.write_bytes(b"kept as it is")
    assert "1 kept; 0 file(s) written." in run(*args)
    assert path.read_bytes() == b"kept as it is"


def test_csv_files_with_the_extended_columns_and_a_byte_order_mark(tmp_path):
    _, orders, _ = make_orders(CustomerFactory(name="Café"), count=1, costs={"=Pick": 5})
    run(
        *("--month", "2023-01", "--format", "csv", "--columns", "extended", "--bom"),
        *("--output-dir", str(tmp_path)),
    )
    report = BillingReport.objects.get()
    data = (tmp_path / f"billing_report_{report.pk}.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbforder_id,")
    header, line = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    assert header == [
        *("order_id", "service_id", "service_name", "amount"),
        *("reference_number", "order_date", "currency", "customer_name"),
    ]
    reference = orders[0].reference_number
    assert line[2:] == ["'=Pick", "0.05", reference, "2023-01-01", "USD", "Café"]


def test_a_file_that_cannot_be_written_leaves_no_report(tmp_path):
    customer, _, _ = make_orders(count=1)
    # The file names of the next ids are taken by folders, which no file replaces.
    last = report_generate(customer=CustomerFactory(), start_date=JANUARY[0], end_date=JANUARY[1])
    for pk in range(last.pk, last.pk + 4):
        (tmp_path / f"billing_report_{pk}.csv" / "x").mkdir(parents=True)
    with pytest.raises(CommandError, match="IsADirectoryError"):
        run("--month", "2023-01", "--format", "csv", "--output-dir", str(tmp_path))
    assert not period_reports(customer).exists()
    assert not [p for p in tmp_path.iterdir() if p.is_file()]


def test_a_replacement_whose_file_cannot_be_written_keeps_the_old_report(tmp_path):
    customer, _, _ = make_orders(count=1)
    run("--month", "2023-01")
    report = period_reports(customer).get()
    OrderServiceCost.objects.update(amount_minor=1)
    (tmp_path / f"billing_report_{report.pk}.csv" / "x").mkdir(parents=True)
    with pytest.raises(CommandError):
        run("--month", "2023-01", "--force", "--format", "csv", "--output-dir", str(tmp_path))
    kept = period_reports(customer).get()
    assert (kept.pk, kept.created_at, str(kept.total_amount)) == (
        report.pk,
        report.created_at,
        "15.00",
    )
    assert BillingReportLine.objects.filter(report=kept).count() == 2


def test_the_output_directory_is_made_when_missing(tmp_path):
    make_orders(count=1)
    target = tmp_path / "reports" / "2023-01"
    run("--month", "2023-01", "--format", "pdf", "--output-dir", str(target))
    assert len(list(target.glob("billing_report_*.pdf"))) == 1


def test_an_output_directory_that_cannot_be_made_is_refused_before_anything_is_saved(tmp_path):
    make_orders(count=1)
    (tmp_path / "a-file").write_text("")
    with pytest.raises(CommandError, match=r"--output-dir .*a-file/sub: Not a directory"):
        run(
            "--month",
            "2023-01",
            "--format",
            "csv",
            "--output-dir",
            str(tmp_path / "a-file" / "sub"),
        )
    assert not BillingReport.objects.exists()


def test_a_dry_run_saves_and_writes_nothing(tmp_path):
    customer, _, _ = make_orders(count=1)
    other, _, _ = make_orders(count=1)
    run("--month", "2023-01", "--customer", str(other.pk))
    target = tmp_path / "out"
    output = run(
        "--month", "2023-01", "--format", "csv", "--output-dir", str(target), "--dry-run", "-v", "2"
    )
    assert f"{customer.name}: would generate a report" in output
    assert f"{other.name}: report " in output and "exists, kept" in output
    assert "Dry run: 1 report(s) to generate, 0 to replace, 1 kept; 2 file(s) to write." in output
    assert BillingReport.objects.count() == 1 and not target.exists()
    forced = run("--month", "2023-01", "--force", "--dry-run", "-v", "2")
    assert "would replace report" in forced and BillingReport.objects.count() == 1


def test_verbosity_is_honoured():
    make_orders(count=1)
    assert run("--month", "2023-01", "-v", "0") == ""
    assert run("--month", "2023-01", "--force", "-v", "1").splitlines() == [
        "Reports for 2023-01-01 to 2023-01-31",
        "0 report(s) generated, 1 replaced, 0 kept.",
    ]
    detailed = run("--month", "2023-01", "--force", "-v", "2").splitlines()
    assert len(detailed) == 3 and "replaced, 1 orders, total 15.00 USD" in detailed[1]
    timed = run("--month", "2023-01", "--force", "-v", "3").splitlines()
    assert timed[1].endswith(" s)")


def test_one_customers_failure_leaves_the_others_their_reports():
    fine, _, _ = make_orders(count=1)
    too_big, _, _ = make_orders(count=1, costs={"Picking": 10**15})  # over 10 ** 13 USD
    err = StringIO()
    with pytest.raises(CommandError, match=r"^1 of 2 report\(s\) could not be generated\.$"):
        call_command("generate_reports", "--month", "2023-01", stdout=StringIO(), stderr=err)
    assert "A report's total must be at most 9,999,999,999,999.99 USD." in err.getvalue()
    assert period_reports(fine).exists() and not period_reports(too_big).exists()


@pytest.mark.parametrize(
    "args,message",
    [
        ([], "Give --month YYYY-MM, or --start and --end YYYY-MM-DD."),
        (["--month", "2023-13"], "--month is not a month written YYYY-MM: '2023-13'"),
        (["--month", "2023-1"], "--month is not a month written YYYY-MM: '2023-1'"),
        (["--start", "2023-01-01"], "Give --month YYYY-MM, or --start and --end YYYY-MM-DD."),
        (
            ["--start", "2023-02-30", "--end", "2023-03-01"],
            "--start is not a date written YYYY-MM-DD: '2023-02-30'",
        ),
        (
            ["--start", "2023-02-01", "--end", "2023-01-01"],
            "Start date must be before end date (2023-02-01 to 2023-01-01)",
        ),
        (
            ["--start", "2023-01-01", "--end", "2024-01-02"],
            "A report may span at most 366 days (2023-01-01 to 2024-01-02)",
        ),
        (
            ["--month", "2023-01", "--start", "2023-01-01"],
            "Give --month, or --start and --end, not both.",
        ),
        (["--month", "2023-01", "--customer", "999999"], "Customer with ID 999999 not found"),
        (["--month", "2023-01", "--bom"], "--columns and --bom go with --format csv"),
        (
            ["--month", "2023-01", "--format", "pdf", "--columns", "extended"],
            "--columns and --bom go with --format csv",
        ),
    ],
)
def test_bad_arguments_are_one_clear_error(args, message):
    make_orders(count=1)
    with pytest.raises(CommandError) as raised:
        run(*args)
    assert str(raised.value) == message
    assert not BillingReport.objects.exists()


def test_the_last_month_of_the_calendar_is_a_period():
    assert run("--month", "9999-12").splitlines() == [
        "Reports for 9999-12-01 to 9999-12-31",
        "No orders from 9999-12-01 to 9999-12-31.",
        "0 report(s) generated, 0 replaced, 0 kept.",
    ]


def test_a_known_customer_without_orders_is_no_error():
    customer = CustomerFactory()
    make_orders(count=1)
    output = run("--month", "2023-01", "--customer", str(customer.pk))
    assert f"No orders of customer {customer.pk} from 2023-01-01 to 2023-01-31." in output
    assert not BillingReport.objects.exists()


def test_an_unknown_choice_is_a_usage_error():
    with pytest.raises(CommandError, match=r"^Error: argument --columns: invalid choice: 'wide'"):
        run("--month", "2023-01", "--format", "csv", "--columns", "wide")
