import calendar
import datetime
import re
import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from kombu.exceptions import KombuError

from billing_site.api.fields import iso_date
from billing_site.commands import CronCommand, one_line
from billing_site.errors import BillingError
from invoices.models import Customer
from reports import selectors
from reports.api.documents import report_filename
from reports.api.renderers import CSV_COLUMN_SETS, CSV_EXTENDED_COLUMNS, REPORT_RENDERERS
from reports.files import ReportFile, output_directory_check, report_for_period_with_file
from reports.services import PeriodOutcome, report_period_check
from reports.tasks import generate_report


def _date(value: str, option: str) -> datetime.date:
    date = iso_date(value)
    if date is None:
        raise CommandError(f"{option} is not a date written YYYY-MM-DD: {value!r}")
    return date


def _month(value: str) -> tuple[datetime.date, datetime.date]:
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}", value):
            raise ValueError
        first = datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"--month is not a month written YYYY-MM: {value!r}") from None
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _period(month, start, end) -> tuple[datetime.date, datetime.date]:
    if month and (start or end):
        raise CommandError("Give --month, or --start and --end, not both.")
    if month:
        return _month(month)
    if start and end:
        return _date(start, "--start"), _date(end, "--end")
    raise CommandError("Give --month YYYY-MM, or --start and --end YYYY-MM-DD.")


class Command(CronCommand):
    help = (
        "Generate the billing report of a period for each customer with orders in it. "
        "A customer that has a report of exactly that period keeps it, unless --force "
        "generates it again in place (same id). With --format each report's file is "
        "written in the same transaction as the report (both or neither), and a re-run "
        "writes the files that are missing. Exit status: 0 done, 1 an error (one line on "
        "stderr), 2 a wrong option."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", metavar="YYYY-MM", help="the period: this calendar month")
        parser.add_argument(
            "--start", metavar="YYYY-MM-DD", help="the period's first day (with --end)"
        )
        parser.add_argument(
            "--end",
            metavar="YYYY-MM-DD",
            help="the period's last day (with --start); a period spans at most "
            f"{settings.REPORT_MAX_DAYS} days (REPORT_MAX_DAYS)",
        )
        parser.add_argument(
            "--customer",
            type=int,
            metavar="ID",
            help="only this customer; an id that names none is an error",
        )
        parser.add_argument(
            "--format",
            choices=sorted(REPORT_RENDERERS),
            help="also write each report's file, billing_report_<id>.<format>",
        )
        parser.add_argument(
            "--output-dir",
            default=".",
            metavar="DIR",
            help="where --format writes (default: the current directory); made if missing, "
            "and checked to take files before any report is saved",
        )
        parser.add_argument(
            "--columns",
            choices=CSV_COLUMN_SETS,
            default="document",
            help="with --format csv: the document's four columns (default), or 'extended': "
            f"those and then {', '.join(CSV_EXTENDED_COLUMNS)}",
        )
        parser.add_argument(
            "--bom",
            action="store_true",
            help="with --format csv: start each file with a UTF-8 byte-order mark (for Excel)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="generate a customer's existing report of the period again, replacing it "
            "(same id, new lines and totals) instead of keeping it",
        )
        how = parser.add_mutually_exclusive_group()
        how.add_argument(
            "--dry-run",
            action="store_true",
            help="say what would be generated and written; save and write nothing",
        )
        how.add_argument(
            "--queue",
            action="store_true",
            help="queue one task per customer for the Celery workers (CELERY_BROKER_URL) "
            "and return; each report is still made once, however many runs overlap. "
            "--output-dir must then be a folder the workers write to. Without a broker "
            "the tasks run in this process",
        )

    def handle(self, *args, month, start, end, customer, format, output_dir, **options):
        start_date, end_date = _period(month, start, end)
        try:
            report_period_check(start_date=start_date, end_date=end_date)
        except BillingError as error:
            raise CommandError(f"{error.message} ({start_date} to {end_date})") from None
        columns, bom = options["columns"], options["bom"]
        if format != "csv" and (columns != "document" or bom):
            raise CommandError("--columns and --bom go with --format csv")
        if customer is not None and not Customer.objects.filter(pk=customer).exists():
            raise CommandError(f"Customer with ID {customer} not found")
        directory = Path(output_dir)
        if format:
            try:
                output_directory_check(directory, create=not options["dry_run"])
            except OSError as error:
                raise CommandError(f"--output-dir {directory}: {error.strerror or error}") from None
        self.period = start_date, end_date
        self.format, self.directory, self.force = format, directory, options["force"]
        self.context = {"columns": columns, "bom": bom} if format == "csv" else None
        customers = selectors.customers_with_orders(
            start_date=start_date, end_date=end_date, customer_id=customer
        )
        dry = " (dry run: nothing is saved or written)" if options["dry_run"] else ""
        self.say(f"Reports for {start_date} to {end_date}{dry}")
        if not customers:
            whose = f" of customer {customer}" if customer is not None else ""
            self.say(f"No orders{whose} from {start_date} to {end_date}.")
        if options["dry_run"]:
            self._dry_run(customers)
        elif options["queue"]:
            self._queue(customers)
        else:
            self._run(customers)

    def _run(self, customers: list[Customer]) -> None:
        start_date, end_date = self.period
        outcomes, files, failed = Counter(), 0, 0
        for position, customer in enumerate(customers, start=1):
            label = f"[{position}/{len(customers)}] {customer.name}"
            file = ReportFile(self.directory, self.format, self.context) if self.format else None
            started = time.monotonic()
            try:
                report, outcome = report_for_period_with_file(
                    customer=customer,
                    start_date=start_date,
                    end_date=end_date,
                    replace=self.force,
                    file=file,
                )
            except BillingError as error:
                failed += 1  # this customer's error: the others still get their reports
                self.stderr.write(f"{label}: {error.message}")
                continue
            outcomes[outcome] += 1
            took = f" ({time.monotonic() - started:.2f} s)" if self.verbosity >= 3 else ""
            self.say(f"{label}: {_described(report, outcome)}{took}", level=2)
            if file and file.path:
                files += 1
                self.say(f"{label}: wrote {file.path}", level=2)
        written = f"; {files} file(s) written" if self.format else ""
        self.say(
            f"{outcomes[PeriodOutcome.CREATED]} report(s) generated, "
            f"{outcomes[PeriodOutcome.REPLACED]} replaced, "
            f"{outcomes[PeriodOutcome.KEPT]} kept{written}.",
            style=self.style.SUCCESS,
        )
        if failed:
            raise CommandError(f"{failed} of {len(customers)} report(s) could not be generated.")

    def _queue(self, customers: list[Customer]) -> None:
        start_date, end_date = self.period
        in_process = generate_report.app.conf.task_always_eager
        outcomes = Counter()
        for position, customer in enumerate(customers, start=1):
            label = f"[{position}/{len(customers)}] {customer.name}"
            try:
                result = generate_report.delay(
                    customer.pk,
                    start_date.isoformat(),
                    end_date.isoformat(),
                    force=self.force,
                    output_format=self.format,
                    # The workers' current directory is not this one.
                    output_dir=str(self.directory.resolve()) if self.format else None,
                    renderer_context=self.context,
                )
            except KombuError as error:
                raise CommandError(
                    f"{label}: the broker did not take the task ({one_line(error)}); "
                    f"{position - 1} of {len(customers)} report(s) queued"
                ) from None
            if in_process:
                outcome = str(result.result) if result.successful() else f"failed: {result.result}"
                outcomes[outcome.partition(":")[0]] += 1
                if outcome.startswith("failed"):
                    self.stderr.write(f"{label}: {outcome}")
                else:
                    self.say(f"{label}: {outcome}", level=2)
            else:
                self.say(f"{label}: queued (task {result.id})", level=2)
        if not in_process:
            self.say(f"{len(customers)} report(s) queued.", style=self.style.SUCCESS)
            return
        self.say(
            f"{len(customers)} report(s) queued and made in this process (no "
            f"CELERY_BROKER_URL): {outcomes[PeriodOutcome.CREATED]} generated, "
            f"{outcomes[PeriodOutcome.REPLACED]} replaced, {outcomes[PeriodOutcome.KEPT]} kept.",
            style=self.style.SUCCESS,
        )
        if outcomes["failed"]:
            raise CommandError(
                f"{outcomes['failed']} of {len(customers)} report(s) could not be generated."
            )

    def _dry_run(self, customers: list[Customer]) -> None:
        start_date, end_date = self.period
        outcomes, files = Counter(), 0
        for position, customer in enumerate(customers, start=1):
            label = f"[{position}/{len(customers)}] {customer.name}"
            report = selectors.report_of_period(
                customer=customer, start_date=start_date, end_date=end_date
            )
            if report is None:
                outcome, said = PeriodOutcome.CREATED, "would generate a report"
            elif self.force:
                outcome, said = PeriodOutcome.REPLACED, f"would replace report {report.pk}"
            else:
                outcome, said = PeriodOutcome.KEPT, f"report {report.pk} exists, kept"
            outcomes[outcome] += 1
            self.say(f"{label}: {said}", level=2)
            if self.format and (outcome != PeriodOutcome.KEPT or not self._has_file(report)):
                files += 1
                name = report_filename(report, self.format) if report else "its file"
                self.say(f"{label}: would write {name} in {self.directory}", level=2)
        written = f"; {files} file(s) to write" if self.format else ""
        self.say(
            f"Dry run: {outcomes[PeriodOutcome.CREATED]} report(s) to generate, "
            f"{outcomes[PeriodOutcome.REPLACED]} to replace, "
            f"{outcomes[PeriodOutcome.KEPT]} kept{written}. Nothing was saved."
        )

    def _has_file(self, report) -> bool:
        return (self.directory / report_filename(report, self.format)).exists()


def _described(report, outcome: PeriodOutcome) -> str:
    if outcome == PeriodOutcome.KEPT:
        return f"report {report.pk} exists, kept"
    done = "generated" if outcome == PeriodOutcome.CREATED else "replaced"
    return (
        f"report {report.pk} {done}, {report.order_count} orders, "
        f"total {report.total_amount} {report.currency}"
    )
