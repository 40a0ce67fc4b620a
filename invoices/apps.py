from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "invoices"
    verbose_name = "Invoices"

    def ready(self):
        from django.db.models import signals

        from billing_site.api.backends import permissions_changed

        from .models import Customer

        # Cached token users carry whether they act for customers.
        signals.m2m_changed.connect(permissions_changed, sender=Customer.users.through)
