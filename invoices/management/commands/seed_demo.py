from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.test.utils import override_settings

from billing_site.commands import CronCommand

_KEPT_BACK = "django.core.mail.backends.locmem.EmailBackend"


class Command(CronCommand):
    help = (
        "Load demo users and data for local use; safe to re-run. Each app that has a "
        "demo module contributes, in the order of INSTALLED_APPS. Exit status: 0 done, "
        "1 an error (one line on stderr), 2 a wrong option."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="load the data in a transaction that is rolled back: say what it would "
            "create, save nothing",
        )

    def handle(self, *args, dry_run, **options):
        if settings.BILLING_ENVIRONMENT == "production":
            raise CommandError(
                "seed_demo creates known passwords and refuses to run in production."
            )
        # The emails the demo data's events send (an invoice or a receipt for each
        # customer, PDFs attached) are kept in memory, not printed by the console
        # backend: the terminal shows those of what is done next.
        with override_settings(EMAIL_BACKEND=_KEPT_BACK), transaction.atomic():
            for app in apps.get_app_configs():
                if find_spec(f"{app.name}.demo") is not None:
                    self.say(f"{app.label}:", level=2)
                    import_module(f"{app.name}.demo").seed(out=self.say)
            if dry_run:
                transaction.set_rollback(True)
        if dry_run:
            self.say("Dry run: nothing was saved.")
        else:
            self.say("Demo data ready.", style=self.style.SUCCESS)
