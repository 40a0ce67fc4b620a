from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from invoices.models import Customer, Invoice, InvoiceLine
from payments.models import Payment
from reports.models import BillingReport, Order, OrderServiceCost, UsageRecord

pytestmark = pytest.mark.django_db

MODELS = (
    Customer,
    Invoice,
    InvoiceLine,
    Payment,
    Order,
    OrderServiceCost,
    BillingReport,
    UsageRecord,
)


def test_seed_demo_creates_the_sample_record_once():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "admin / password" in out.getvalue()
    sample = Invoice.objects.select_related("customer").get(number="333333")
    assert (sample.order_id, sample.currency, sample.total, sample.status, sample.description) == (
        "4499494",
        "IQD",
        50000,
        "open",
        "test",
    )
    assert (sample.customer.name, sample.customer.account_number) == ("Ahmed Rahman", "73737373")
    counts = [model.objects.count() for model in MODELS]
    call_command("seed_demo", stdout=StringIO())
    assert [model.objects.count() for model in MODELS] == counts
    assert all(counts)
    assert counts[1] >= 5


def test_seed_demo_gives_a_working_login(api_client):
    call_command("seed_demo", stdout=StringIO())
    token = api_client.post(
        "/login", {"username": "admin", "password": "password"}, format="json"
    ).json()["access_token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api_client.post(
        "/checkPaymentStatus", {"orderID": 4499494, "billingNumber": 333333}, format="json"
    )
    assert response.json()["paymentAmount"] == "50000.00"


@override_settings(BILLING_ENVIRONMENT="production")
def test_seed_demo_refuses_production():
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")
    assert not Invoice.objects.exists()


def test_a_dry_run_says_what_it_would_create_and_saves_nothing():
    out = StringIO()
    call_command("seed_demo", "--dry-run", "-v", "2", stdout=out)
    assert "admin / password" in out.getvalue() and "reports:" in out.getvalue()
    assert out.getvalue().endswith("Dry run: nothing was saved.\n")
    assert not any(model.objects.exists() for model in MODELS)


def test_seed_demo_is_silent_at_verbosity_0():
    out = StringIO()
    call_command("seed_demo", "-v", "0", stdout=out)
    assert out.getvalue() == ""
    assert Invoice.objects.filter(number="333333").exists()


@pytest.mark.django_db(transaction=True)
def test_seed_demo_keeps_its_emails_off_the_console(settings, capsys):
    from notifications.models import OutgoingEmail

    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    out = StringIO()
    call_command("seed_demo", stdout=out)
    printed = capsys.readouterr().out
    assert "Content-Type: application/pdf" not in printed and "Subject:" not in printed
    assert "Demo data ready." in out.getvalue()
    assert OutgoingEmail.objects.exists()  # written and handed to a backend, not printed
