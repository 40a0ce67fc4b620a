from billing_site.api.idempotency import expired_keys, purge_expired
from billing_site.commands import CronCommand


class Command(CronCommand):
    help = (
        "Delete stored Idempotency-Key responses older than IDEMPOTENCY_KEY_TTL (a day). "
        "Exit status: 0 done, 1 an error (one line on stderr), 2 a wrong option."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count the keys it would delete; delete none"
        )

    def handle(self, *args, dry_run, **options):
        if dry_run:
            self.say(f"Dry run: {expired_keys().count()} expired keys.")
            return
        self.say(f"Deleted {purge_expired()} expired keys.", style=self.style.SUCCESS)
