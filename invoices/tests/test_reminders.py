"""Reminders of overdue invoices: each stage of INVOICE_REMINDER_DAYS once per
invoice, only the latest stage due, none for a paid, voided or draft invoice;
each an ``invoice.overdue`` event; the beat's task and the operator's command."""

import datetime
import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from billing_site.testing import bearer_client
from events.models import Event
from events.registry import EVENT_TYPES
from events.tasks import relay
from invoices import reminders
from invoices.models import VIEW_ALL_CUSTOMERS, Invoice, InvoiceReminder
from invoices.reminders import invoice_remind, overdue_reminders_send, reminder_stage
from invoices.services import invoice_void
from invoices.tasks import send_overdue_reminders
from invoices.tests.factories import InvoiceFactory, UserFactory
from invoices.tests.today import pin_today
from payments.services import payment_record
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 3, 1)
DAY = datetime.timedelta(days=1)


def on(days: int) -> datetime.date:
    """The day ``days`` days after ``DUE``."""
    return DUE + days * DAY


@pytest.fixture(autouse=True)
def stages(settings):
    settings.INVOICE_REMINDER_DAYS = [3, 7, 14]


def late_invoice(**kwargs) -> Invoice:
    return InvoiceFactory(issue_date=DUE - 30 * DAY, due_date=DUE, **kwargs)


def sent(invoice) -> list[int]:
    return list(invoice.reminders.values_list("stage", flat=True))


def run(days: int) -> list[str]:
    """Run the reminders on that day; the numbers of the invoices reminded."""
    return [reminder.number for reminder in overdue_reminders_send(today=on(days)).sent]


def test_the_beat_runs_the_task_hourly():
    schedule = django_settings.CELERY_BEAT_SCHEDULE["send-overdue-reminders"]
    assert schedule == {"task": "invoices.tasks.send_overdue_reminders", "schedule": 3600.0}


def settings_of(**env) -> subprocess.CompletedProcess:
    code = "from billing_site.settings import base; print(base.INVOICE_REMINDER_DAYS)"
    environ = {key: value for key, value in os.environ.items() if key != "INVOICE_REMINDER_DAYS"}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={**environ, **env},
    )


def test_the_days_come_from_the_environment():
    assert settings_of().stdout == "[3, 7, 14]\n"
    assert settings_of(INVOICE_REMINDER_DAYS="10, 1,10").stdout == "[1, 10]\n"
    for wrong in ("3,x", "0,7"):
        result = settings_of(INVOICE_REMINDER_DAYS=wrong)
        assert result.returncode == 1 and "INVOICE_REMINDER_DAYS must be" in result.stderr


@pytest.mark.parametrize(
    "days,stage", [(0, None), (2, None), (3, 3), (6, 3), (7, 7), (13, 7), (14, 14), (90, 14)]
)
def test_the_latest_stage_due(days, stage):
    assert reminder_stage(days, (3, 7, 14)) == stage


def test_each_stage_is_sent_once_on_its_day():
    invoice = late_invoice()
    assert run(2) == []
    assert run(3) == [invoice.number]
    assert run(3) == [] and run(6) == []  # once a stage, however often the beat runs
    assert run(7) == [invoice.number]
    assert run(10) == []
    assert run(14) == [invoice.number]
    assert run(15) == [] and run(100) == []  # after the last stage, nothing more
    assert sent(invoice) == [3, 7, 14]
    reminder = invoice.reminders.get(stage=7)
    assert (reminder.days_overdue, reminder.due_date) == (7, DUE)
    assert reminder.event.type == "invoice.overdue"
    assert Event.objects.filter(type="invoice.overdue").count() == 3


def test_an_invoice_that_skipped_stages_gets_only_the_latest_due():
    invoice = late_invoice()
    assert run(20) == [invoice.number]  # the beat was down for three weeks
    assert sent(invoice) == [14]
    assert Event.objects.filter(type="invoice.overdue").count() == 1
    late_invoice_two = late_invoice()
    assert run(3) == [late_invoice_two.number]  # the other has its last stage already
    assert run(9) == [late_invoice_two.number]
    assert sent(late_invoice_two) == [3, 7]


def test_paid_voided_and_draft_invoices_get_none_a_partly_paid_one_does():
    paid = late_invoice()
    payment_record(invoice_id=paid.pk, amount=paid.total, method="cash")
    voided = late_invoice()
    invoice_void(invoice=voided)
    draft = late_invoice(issue=False)
    partly_paid = late_invoice()
    payment_record(invoice_id=partly_paid.pk, amount=Decimal("40"), method="cash")
    without_due_date = late_invoice()
    Invoice.objects.filter(pk=without_due_date.pk).update(due_date=None)
    assert run(5) == [partly_paid.number]
    assert not InvoiceReminder.objects.exclude(invoice=partly_paid).exists()
    for invoice in (paid, voided, draft, without_due_date):
        assert invoice_remind(invoice_id=invoice.pk, today=on(5), stages=(3,)) is None


def test_an_invoice_paid_after_it_was_found_due_is_not_reminded():
    invoice = late_invoice()
    [due] = reminders.reminders_due(today=on(4), stages=(3, 7, 14))
    payment_record(invoice_id=invoice.pk, amount=invoice.total, method="cash")
    assert invoice_remind(invoice_id=due.invoice_id, today=on(4), stages=(3, 7, 14)) is None
    assert sent(invoice) == []


def test_the_event_carries_the_invoice_the_days_and_the_stage():
    invoice = late_invoice()
    payment_record(invoice_id=invoice.pk, amount=Decimal("40"), method="cash")
    run(8)
    event = Event.objects.get(type="invoice.overdue")
    assert "invoice.overdue" in EVENT_TYPES
    assert event.customer_id == invoice.customer_id
    assert event.data == {
        "id": invoice.pk,
        "number": invoice.number,
        "order_id": invoice.order_id,
        "customer_id": invoice.customer_id,
        "status": "overdue",
        "currency": "USD",
        "total": "100.00",
        "amount_paid": "40.00",
        "balance": "60.00",
        "issue_date": (DUE - 30 * DAY).isoformat(),
        "due_date": DUE.isoformat(),
        "days_overdue": 8,
        "stage": 7,
    }


def test_a_webhook_endpoint_subscribes_to_it(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    client = bearer_client(
        UserFactory(perms=["api.use_invoices", "webhooks.add_webhookendpoint", VIEW_ALL_CUSTOMERS])
    )
    created = client.post(
        "/api/v1/webhook-endpoints/",
        {"url": "http://127.0.0.1:9/hook", "events": ["invoice.overdue"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    late_invoice()
    run(3)
    event = Event.objects.get(type="invoice.overdue")
    relay([event.pk])  # its deliveries' sending waits for a commit this test never makes
    [delivery] = Delivery.objects.all()
    assert (delivery.event_id, delivery.endpoint_id) == (event.pk, created.json()["id"])


def test_the_beats_task_sends_what_is_due_today(monkeypatch):
    pin_today(monkeypatch, on(7))
    invoice = late_invoice()
    assert send_overdue_reminders.delay().get() == 1
    assert sent(invoice) == [7]
    assert send_overdue_reminders.delay().get() == 0


# --- the command -------------------------------------------------------------------------


def command(*args) -> str:
    out = StringIO()
    call_command("send_overdue_reminders", *args, stdout=out)
    return out.getvalue()


def test_the_command_dry_run_says_what_is_due_and_sends_nothing(monkeypatch):
    pin_today(monkeypatch, on(8))
    first, second = late_invoice(), late_invoice()
    output = command("--dry-run", "-v", "2")
    assert f"invoice {first.number}: 8 days overdue, reminder after 7 days due" in output
    assert f"invoice {second.number}: 8 days overdue" in output
    assert "2 reminder(s) due (2 after 7 days); dry run: nothing sent." in output
    assert (
        not InvoiceReminder.objects.exists()
        and not Event.objects.filter(type="invoice.overdue").exists()
    )


def test_the_command_sends_and_says_so(monkeypatch):
    pin_today(monkeypatch, on(3))
    invoice = late_invoice()
    assert command() == "1 reminder(s) sent (1 after 3 days).\n"
    assert sent(invoice) == [3]
    assert command() == "0 reminder(s) sent.\n"
    assert command("-v", "0") == ""


def test_a_failed_reminder_is_exit_status_1_and_the_others_are_sent(monkeypatch):
    pin_today(monkeypatch, on(3))
    failing, fine = late_invoice(), late_invoice()
    real = reminders.invoice_remind

    def remind(*, invoice_id, **kwargs):
        if invoice_id == failing.pk:
            raise RuntimeError("the database went away")
        return real(invoice_id=invoice_id, **kwargs)

    monkeypatch.setattr(reminders, "invoice_remind", remind)
    with pytest.raises(
        CommandError, match=f"1 reminder\\(s\\) failed \\(invoices {failing.number}\\)"
    ):
        command()
    assert (sent(failing), sent(fine)) == ([], [3])


def test_a_wrong_option_is_exit_status_2():
    result = subprocess.run(
        [sys.executable, "manage.py", "send_overdue_reminders", "--dry"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "billing_site.settings.test"},
    )
    assert result.returncode == 2, result.stderr
    assert "unrecognized arguments: --dry" in result.stderr
