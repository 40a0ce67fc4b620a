"""The sweep and an email's own task at once: one send. Workers in threads
(the task run as a worker runs it, the sweep queueing its own), on MariaDB's
row locks (SQLite's test database is one in-memory connection)."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from invoices.tests.factories import InvoiceFactory
from notifications import handlers
from notifications.models import OutgoingEmail
from notifications.services import email_resend, email_send
from notifications.tasks import send_due_emails, send_email

from .backends import SlowBackend

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "mysql", reason="needs MariaDB's row locks"),
]

WORKERS = 4


@pytest.fixture
def slow_mail(settings):
    settings.EMAIL_BACKEND = "notifications.tests.backends.SlowBackend"
    settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS = 120
    SlowBackend.reset()
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def lost_email(monkeypatch):
    """An email whose task was lost, overdue: the sweep's to send."""
    with monkeypatch.context() as patch:
        patch.setattr(handlers, "run_after_commit", lambda task, *args: None)
        InvoiceFactory(amount=Decimal("100.00"), customer__email="payer@example.com")
    due = timezone.now() - datetime.timedelta(seconds=500)
    OutgoingEmail.objects.update(next_attempt_at=due)
    return OutgoingEmail.objects.get()


def at_once(*jobs):
    """Run the jobs in threads released together; their results."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        barrier.wait()
        try:
            return job()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def test_the_sweep_and_the_emails_own_task_at_once_send_it_once(slow_mail, lost_email):
    def task():
        return send_email.apply(args=[lost_email.pk]).get()

    def sweep():
        return send_due_emails.apply().get()

    results = at_once(task, task, sweep, sweep)
    assert results[:2].count("sent") <= 1
    assert len(slow_mail) == 1 and SlowBackend.most_in_flight == 1
    assert OutgoingEmail.objects.values_list("status", "attempts", "next_attempt_at").get() == (
        "sent",
        1,
        None,
    )


def test_workers_taking_the_same_email_make_one_attempt(slow_mail, lost_email):
    outcomes = at_once(*[lambda: email_send(email_id=lost_email.pk).outcome] * WORKERS)
    assert sorted(outcomes) == ["held"] * (WORKERS - 1) + ["sent"]
    assert len(slow_mail) == 1
    assert OutgoingEmail.objects.values_list("status", "attempts").get() == ("sent", 1)


def test_two_staff_resending_one_sent_email_at_once_make_one_copy(slow_mail, lost_email):
    assert email_send(email_id=lost_email.pk).outcome == "sent"

    def resend():
        try:
            return email_resend(email=lost_email).copy_number
        except Exception as exc:  # the refusal, counted below
            return type(exc).__name__

    assert sorted(at_once(resend, resend), key=str) == [1, "ConflictError"]
    assert OutgoingEmail.objects.count() == 2
