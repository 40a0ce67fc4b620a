import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from invoices.models import Customer, Invoice
from invoices.services import LineInput, invoice_create


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("secret-password-1")

    @factory.post_generation
    def perms(self, create, extracted, **kwargs):
        """``perms=["app_label.codename", ...]`` grants those model permissions."""
        for name in extracted or []:
            app_label, codename = name.split(".")
            self.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name")
    email = factory.Faker("email")
    account_number = factory.Sequence(lambda n: f"{50000000 + n}")


class InvoiceFactory(factory.Factory):
    """Builds invoices through ``invoice_create`` so totals are the ledger's own."""

    class Meta:
        model = Invoice

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"{900000 + n}")
    order_id = factory.Sequence(lambda n: f"{7000000 + n}")
    currency = "USD"
    amount = Decimal("100.00")
    description = "Monthly service"
    issue = True

    @classmethod
    def _create(cls, model_class, *, amount, **kwargs):
        today = datetime.date(2026, 1, 15)
        kwargs.setdefault("issue_date", today)
        kwargs.setdefault("due_date", today + datetime.timedelta(days=30))
        lines = [LineInput(description=kwargs["description"] or "Item", unit_price=amount)]
        return invoice_create(lines=lines, **kwargs)

    _build = _create


def staff_session(*perms: str) -> Client:
    """An admin session of a staff user who is not a superuser and holds ``perms``."""
    client = Client()
    client.force_login(UserFactory(is_staff=True, perms=list(perms)))
    return client
