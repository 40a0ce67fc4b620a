from django.core.management.base import CommandError

from audit.services import request_log_purge, request_logs_older_than
from billing_site.commands import CronCommand

# A hundred years: further back than any log, and well within the dates Python counts.
MAX_DAYS = 36_500


class Command(CronCommand):
    help = (
        "Delete request log rows (the logs table) older than a number of days, in batches. "
        "Exit status: 0 done, 1 an error (one line on stderr), 2 a wrong option."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            required=True,
            metavar="DAYS",
            help=f"delete the rows older than this many days (0 to {MAX_DAYS}); 0 deletes "
            "every row and needs --yes",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            metavar="ROWS",
            help="rows deleted per transaction (default 5000), so that no statement holds "
            "the table for long",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count the rows it would delete; delete none"
        )
        parser.add_argument(
            "--yes", action="store_true", help="confirm --older-than 0: delete every row"
        )

    def handle(self, *args, older_than, batch_size, dry_run, yes, **options):
        if not 0 <= older_than <= MAX_DAYS:
            raise CommandError(f"--older-than must be 0 to {MAX_DAYS} days, not {older_than}")
        if batch_size < 1:
            raise CommandError(f"--batch-size must be 1 or more, not {batch_size}")
        if older_than == 0 and not (yes or dry_run):
            raise CommandError("--older-than 0 deletes every request log row: add --yes to do so")
        if dry_run:
            count = request_logs_older_than(days=older_than).count()
            self.say(f"Dry run: {count} request log rows are older than {older_than} days.")
            return
        deleted = request_log_purge(
            older_than_days=older_than,
            batch_size=batch_size,
            progress=lambda count: self.say(f"deleted {count} rows so far", level=2),
        )
        self.say(f"Deleted {deleted} request log rows.", style=self.style.SUCCESS)
