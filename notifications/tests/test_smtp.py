"""Emails through a real SMTP server: an aiosmtpd process of the test's own,
reached with Django's SMTP backend; what it received is read from its maildir.
A server that is down or refuses costs a recorded failure and a retry, and the
email is sent once all the same."""

import mailbox
import sys
from decimal import Decimal

import pytest

from billing_site.faults import PrivateProcess, free_port
from invoices.tests.factories import InvoiceFactory
from notifications.models import OutgoingEmail
from notifications.tasks import retry_delay, send_email

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
    assert email.last_error.startswith("ConnectionRefusedError")
    assert send_email.delay(email.pk).get() == "skipped"  # given up: no more tries


def test_a_refused_send_is_retried_and_sent_once(smtp_server, django_capture_on_commit_callbacks):
    server = smtp_server("notifications.tests.smtp_server.RefusesFirstMailbox")
    invoice = issue(django_capture_on_commit_callbacks)
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts) == ("sent", 2)
    assert email.last_error.startswith("SMTPDataError") and "451" in email.last_error
    [received] = server.received()
    assert received["Subject"] == f"Invoice {invoice.number} from Billing Service"
    assert send_email.delay(email.pk).get() == "skipped"
    assert len(server.received()) == 1


def test_retries_wait_longer_each_time(settings):
    settings.NOTIFICATIONS_EMAIL_RETRY_SECONDS = 60
    assert [retry_delay(retries) for retries in range(4)] == [60, 120, 240, 480]
