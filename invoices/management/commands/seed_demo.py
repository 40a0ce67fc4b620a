from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Load demo users and data for local use; safe to re-run. Each app that has a "
        "demo module contributes, in the order of INSTALLED_APPS."
    )

    def handle(self, *args, **options):
        if settings.BILLING_ENVIRONMENT == "production":
            raise CommandError(
                "seed_demo creates known passwords and refuses to run in production."
            )
        with transaction.atomic():
            for app in apps.get_app_configs():
                if find_spec(f"{app.name}.demo") is not None:
                    import_module(f"{app.name}.demo").seed(out=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
