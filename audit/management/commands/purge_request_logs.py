from django.core.management.base import BaseCommand, CommandError

from audit.services import request_log_purge


class Command(BaseCommand):
    help = "Delete request log rows older than a number of days, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, older_than, batch_size, **options):
        if older_than < 0 or batch_size < 1:
            raise CommandError("--older-than must be >= 0 and --batch-size >= 1")
        deleted = request_log_purge(
            older_than_days=older_than,
            batch_size=batch_size,
            progress=lambda count: self.stdout.write(f"deleted {count} rows so far"),
        )
        self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} request log rows."))
