"""Emails through a real SMTP server: an aiosmtpd process of the test's own,
reached with Django's SMTP backend; what it received is read from its maildir.
A server that is down or refuses costs a recorded failure and a retry, and the
email is sent once all the same."""

import datetime
import io
import mailbox
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from billing_site.celery import app as celery_app
from billing_site.faults import PrivateProcess, free_port
from events.tasks import relay_pending
from invoices.tests.factories import InvoiceFactory
from notifications import handlers
from notifications.models import OutgoingEmail
from notifications.tasks import retry_delay, send_due_emails, send_email

from .mail import parsed_pdf

pytestmark = pytest.mark.django_db


class SMTPServer(PrivateProcess):
    what = "smtp"

    def __init__(self, directory, handler: str = "aiosmtpd.handlers.Mailbox"):
        super().__init__(directory)
        self.handler = handler
        self.maildir = directory / "maildir"

    def command(self) -> list[str]:
        return [
            *(sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}"),
            *("-c", self.handler, str(self.maildir)),
        ]

    def received(self) -> list:
        box = mailbox.Maildir(self.maildir, create=False)
        return [box[key] for key in sorted(box.keys())]


@pytest.fixture
def smtp_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_TIMEOUT = 10
    settings.NOTIFICATIONS_EMAIL_RETRIES = 2
    return settings


@pytest.fixture
def smtp_server(tmp_path, smtp_settings):
    """Start a server of the given handler and point the SMTP settings at it."""
    servers = []

    def start(handler: str = "aiosmtpd.handlers.Mailbox") -> SMTPServer:
        server = SMTPServer(tmp_path, handler)
        servers.append(server)
        server.start(timeout=30)
        smtp_settings.EMAIL_PORT = server.port
        return server

    yield start
    for server in servers:
        server.stop()


def issue(django_capture_on_commit_callbacks) -> object:
    with django_capture_on_commit_callbacks(execute=True):
        return InvoiceFactory(amount=Decimal("40.00"), customer__email="payer@example.com")


def test_an_issued_invoice_reaches_the_smtp_server_with_its_pdf(
    smtp_server, django_capture_on_commit_callbacks
):
    server = smtp_server()
    invoice = issue(django_capture_on_commit_callbacks)
    [received] = server.received()
    assert received["To"] == "payer@example.com"
    assert received["From"] == "billing@localhost"
    assert received["Subject"] == f"Invoice {invoice.number} from Billing Service"
    kinds = {part.get_content_type() for part in received.walk()}
    assert {"text/plain", "text/html", "application/pdf"} <= kinds
    filename, pages = parsed_pdf(received)
    assert filename == f"invoice_{invoice.number}.pdf"
    assert f"Invoice number {invoice.number}" in pages[0]
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts, email.last_error) == ("sent", 1, "")


def test_a_server_that_is_down_costs_a_recorded_failure_per_try_then_gives_up(
    smtp_settings, django_capture_on_commit_callbacks
):
    smtp_settings.EMAIL_PORT = free_port()  # nothing listens there
    issue(django_capture_on_commit_callbacks)
    email = OutgoingEmail.objects.get()
    # Tried once and retried twice (at once here: tasks run in the test's process).
    assert (email.status, email.attempts, email.sent_at) == ("failed", 3, None)
    assert email.next_attempt_at is None and email.claimed_at is None
    assert email.last_error.startswith("ConnectionRefusedError")
    assert send_email.delay(email.pk).get() == "skipped"  # given up: no more tries


def test_a_refused_send_is_retried_and_sent_once(smtp_server, django_capture_on_commit_callbacks):
    server = smtp_server("notifications.tests.smtp_server.RefusesFirstMailbox")
    invoice = issue(django_capture_on_commit_callbacks)
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts, email.next_attempt_at) == ("sent", 2, None)
    assert email.last_error.startswith("SMTPDataError") and "451" in email.last_error
    [received] = server.received()
    assert received["Subject"] == f"Invoice {invoice.number} from Billing Service"
    assert send_email.delay(email.pk).get() == "skipped"
    assert len(server.received()) == 1


def test_retries_wait_longer_each_time(settings):
    settings.NOTIFICATIONS_EMAIL_RETRY_SECONDS = 60
    assert [retry_delay(failures) for failures in range(1, 5)] == [60, 120, 240, 480]


@pytest.mark.django_db(transaction=True)
def test_an_email_whose_task_the_broker_lost_is_sent_by_the_sweep_once(
    smtp_server, broker_down, settings
):
    server = smtp_server()
    settings.EVENTS_RELAY_GRACE_SECONDS = 0
    invoice = InvoiceFactory(amount=Decimal("40.00"), customer__email="payer@example.com")
    # The broker is down: the relay, then the email's task, are never queued.
    assert relay_pending() == 2
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts, email.sent_at) == ("pending", 0, None)
    assert server.received() == []
    celery_app.conf.task_always_eager = True  # the broker is back (here: tasks run in-process)
    assert send_due_emails() == 0  # within the grace period
    settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS = 0
    assert send_due_emails() == 1
    assert send_due_emails() == 0
    assert send_email.delay(email.pk).get() == "skipped"
    [received] = server.received()
    assert received["Subject"] == f"Invoice {invoice.number} from Billing Service"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == ("sent", 1, None)


def test_attempts_by_the_sweep_and_by_the_tasks_count_together(
    smtp_settings, django_capture_on_commit_callbacks, monkeypatch
):
    """1 + NOTIFICATIONS_EMAIL_RETRIES (2) attempts in all, whoever made them:
    the row's count decides, not the Celery retries of the task at hand."""
    smtp_settings.EMAIL_PORT = free_port()  # nothing listens there
    smtp_settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS = 120
    with monkeypatch.context() as patch:  # the email's task is lost
        patch.setattr(handlers, "run_after_commit", lambda task, *args: None)
        issue(django_capture_on_commit_callbacks)
    email = OutgoingEmail.objects.get()
    created = timezone.now()

    def overdue():
        due = timezone.now() - datetime.timedelta(seconds=121)
        OutgoingEmail.objects.update(next_attempt_at=due)

    overdue()
    out = io.StringIO()
    call_command("send_due_emails", stdout=out)  # the sweep's attempt: 1
    assert out.getvalue().startswith("1 overdue email(s): 0 sent, 1 to retry, 0 failed")
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("pending", 1)
    # Due again after the first retry's delay, counted from the failure.
    assert created + datetime.timedelta(seconds=retry_delay(1)) <= email.next_attempt_at
    assert email.next_attempt_at <= timezone.now() + datetime.timedelta(seconds=retry_delay(1))
    assert email.last_error.startswith("ConnectionRefusedError")
    call_command("send_due_emails", stdout=out)
    assert out.getvalue().endswith(
        "0 overdue email(s): 0 sent, 0 to retry, 0 failed for good, 0 left to another worker.\n"
    )  # not due yet
    overdue()
    # A task makes attempt 2 as its first try (Celery counts no retry), fails,
    # and its own retry makes attempt 3: the last.
    assert send_email.apply(args=[email.pk]).get() == "failed"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == ("failed", 3, None)
    overdue()
    assert send_due_emails() == 0  # given up: swept no more


def test_a_task_on_its_first_try_gives_up_when_the_row_has_had_its_attempts(
    smtp_settings, django_capture_on_commit_callbacks
):
    smtp_settings.EMAIL_PORT = free_port()
    issue(django_capture_on_commit_callbacks)  # tried once and retried twice: failed
    # As if two sweeps' tasks had tried it: the third attempt is the last.
    OutgoingEmail.objects.update(status="pending", attempts=2, next_attempt_at=timezone.now())
    email = OutgoingEmail.objects.get()
    assert send_email.apply(args=[email.pk], retries=0).get() == "failed"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == ("failed", 3, None)
