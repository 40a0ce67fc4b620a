from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from audit.services import spool, spool_backlog
from audit.spool import is_owned
from billing_site.commands import CronCommand, one_line


class Command(CronCommand):
    help = (
        "Show the request log spool: each process's file and how much of it still "
        "waits for the database. --store moves the rows of files whose process is gone. "
        "Exit status: 0 done, 1 an error (one line on stderr), 2 a wrong option."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--store",
            action="store_true",
            help="store the rows of files no running process owns, then show the spool",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="with --store: mark the files it would store; store and remove nothing",
        )

    def handle(self, *args, store, dry_run, **options):
        if store and not dry_run:
            try:
                spool().store_orphans()
            except Exception as error:
                raise CommandError(
                    one_line(f"The database did not take the rows: {error}")
                ) from None
        directory = Path(settings.REQUEST_LOG_SPOOL_DIR)
        files = spool_backlog()
        waiting = orphans = 0
        self.say(f"Spool: {directory}" + (" (dry run: nothing is stored)" if dry_run else ""))
        for name, size, left in files:
            waiting += left
            line = f"  {name}: {size} bytes, {left} waiting"
            if (store and dry_run) or self.verbosity >= 2:
                owned = is_owned(directory / name)
                orphans += not owned
                if self.verbosity >= 2:
                    line += ", its process is running" if owned else ", its process is gone"
                if store and dry_run and not owned:
                    line += ", would be stored"
            self.say(line)
        limit = settings.REQUEST_LOG_SPOOL_MAX_BYTES
        self.say(f"{len(files)} file(s), {waiting} bytes waiting (limit {limit}).")
        if store and dry_run:
            self.say(f"Dry run: --store would store the rows of {orphans} file(s).")
