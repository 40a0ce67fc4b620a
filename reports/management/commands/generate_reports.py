import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from billing_site.api.fields import iso_date
from reports.api.documents import report_document, report_filename
from reports.api.renderers import REPORT_RENDERERS
from reports.services import reports_generate_for_period


def _date(value: str) -> datetime.date:
    date = iso_date(value)
    if date is None:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}")
    return date


def _month(value: str) -> tuple[datetime.date, datetime.date]:
    try:
        first = datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"Not a month (YYYY-MM): {value!r}") from None
    next_month = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first, next_month - datetime.timedelta(days=1)


class Command(BaseCommand):
    help = (
        "Generate one billing report per customer with orders in a period. "
        "Customers that have a report of that period already are skipped unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM: the whole calendar month")
        parser.add_argument("--start", help="YYYY-MM-DD, with --end")
        parser.add_argument("--end", help="YYYY-MM-DD, with --start")
        parser.add_argument("--customer", type=int, help="only this customer id")
        parser.add_argument("--format", choices=sorted(REPORT_RENDERERS), help="also write files")
        parser.add_argument("--output-dir", default=".", help="where --format writes them")
        parser.add_argument("--force", action="store_true", help="generate even if one exists")

    def handle(self, *args, month, start, end, customer, format, output_dir, force, **options):
        if month and (start or end):
            raise CommandError("Give --month, or --start and --end, not both.")
        if month:
            start_date, end_date = _month(month)
        elif start and end:
            start_date, end_date = _date(start), _date(end)
        else:
            raise CommandError("Give --month YYYY-MM, or --start and --end.")
        if start_date > end_date:
            raise CommandError("Start date must be before end date")
        directory = Path(output_dir)
        if format and not directory.is_dir():
            raise CommandError(f"No such directory: {directory}")
        self.stdout.write(f"Reports for {start_date} to {end_date}")
        reports = reports_generate_for_period(
            start_date=start_date,
            end_date=end_date,
            customer_id=customer,
            force=force,
            progress=self.stdout.write,
        )
        for report in reports if format else []:
            path = directory / report_filename(report, format)
            path.write_bytes(report_document(report, format))
            self.stdout.write(f"wrote {path}")
        self.stdout.write(self.style.SUCCESS(f"{len(reports)} report(s) generated."))
