import datetime

from django.core.management.base import CommandError
from django.utils import timezone

from billing_site.api.fields import iso_date
from billing_site.commands import CronCommand
from bills import selectors, services


class Command(CronCommand):
    help = (
        "Issue every recurring bill that is due: the next bill of each master whose "
        "rbill_date has come, one per missed period, never past its end date or after "
        "its cancellation (what the beat's issue-recurring-bills task does, for a site "
        "without Celery beat). Safe to run twice or side by side: a period is billed once. "
        "Exit status: 0 done, 1 an error (one line on stderr; a master that could not be "
        "issued from is named, the others are issued), 2 a wrong option."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            metavar="YYYY-MM-DD",
            help="issue what is due on this day (default: today); not after today",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="say which bills would be issued; issue nothing",
        )

    def handle(self, *args, date, dry_run, **options):
        today = self._day(date)
        if dry_run:
            plan = selectors.recurring_plan(today=today)
            for master, dates in plan:
                for period in dates:
                    self.say(f"{master.bill_no}: would issue the bill of {period}", level=2)
            count = sum(len(dates) for _, dates in plan)
            self.say(f"{count} recurring bill(s) due on {today} (dry run: nothing issued).")
            return
        run = services.bills_recurring_issue(
            today=today,
            on_issue=lambda child: self.say(
                f"{child.master_bill.bill_no}: issued {child.bill_no} for {child.rbill_date}",
                level=2,
            ),
        )
        self.say(f"{len(run.issued)} recurring bill(s) issued for {today}.")
        if run.failed:
            raise CommandError(
                "Not issued from "
                + "; ".join(f"{bill_no}: {reason}" for bill_no, reason in run.failed)
            )

    def _day(self, raw: str | None) -> datetime.date:
        today = timezone.localdate()
        if raw is None:
            return today
        day = iso_date(raw)
        if day is None:
            raise CommandError(f"--date is not a date written YYYY-MM-DD: {raw!r}")
        if day > today:
            raise CommandError(f"--date {day} is after today ({today}): bills are never early.")
        return day
