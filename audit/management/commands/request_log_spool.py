from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.models import SpoolPosition
from audit.services import spool
from audit.spool import spool_files


class Command(BaseCommand):
    help = (
        "Show the request log spool: each process's file and how much of it still "
        "waits for the database. --store moves the rows of files whose process is gone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--store",
            action="store_true",
            help="store the rows of files no running process owns, then show the spool",
        )

    def handle(self, *args, store, **options):
        if store:
            try:
                spool().store_orphans()
            except Exception as error:
                raise CommandError(f"The database did not take the rows: {error}") from None
        files = spool_files(settings.REQUEST_LOG_SPOOL_DIR)
        stored = dict(
            SpoolPosition.objects.filter(segment__in=[name for name, _ in files]).values_list(
                "segment", "offset"
            )
        )
        waiting = 0
        self.stdout.write(f"Spool: {settings.REQUEST_LOG_SPOOL_DIR}")
        for name, size in files:
            left = size - stored.get(name, 0)
            waiting += left
            self.stdout.write(f"  {name}: {size} bytes, {left} waiting")
        limit = settings.REQUEST_LOG_SPOOL_MAX_BYTES
        self.stdout.write(f"{len(files)} file(s), {waiting} bytes waiting (limit {limit}).")
