from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from payments.demo import ADMIN, GATEWAY_USER, seed_demo


class Command(BaseCommand):
    help = "Load demo users, customers and invoices (for local use; safe to re-run)."

    def handle(self, *args, **options):
        if settings.BILLING_ENVIRONMENT == "production":
            raise CommandError(
                "seed_demo creates known passwords and refuses to run in production."
            )
        seed_demo(out=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Log in as {ADMIN[0]} / {ADMIN[1]} (admin and API) "
                f"or {GATEWAY_USER[0]} / {GATEWAY_USER[1]} (gateway API only)."
            )
        )
