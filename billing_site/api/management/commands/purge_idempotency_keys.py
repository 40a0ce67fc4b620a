from django.core.management.base import BaseCommand

from billing_site.api.idempotency import purge_expired


class Command(BaseCommand):
    help = "Delete stored Idempotency-Key responses older than IDEMPOTENCY_KEY_TTL (a day)."

    def handle(self, *args, **options):
        self.stdout.write(self.style.SUCCESS(f"Deleted {purge_expired()} expired keys."))
