"""Emails outlive a lost task: each row holds when it is next due, and the
beat's sweep (or ``manage.py send_due_emails``) sends the pending ones overdue
by more than the grace period that no live worker holds, once; a second task
for the same email sends nothing more."""

import datetime
import io
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from billing_site.faults import free_port
from billing_site.testing import ROOT
from invoices.tests.factories import InvoiceFactory
from notifications import handlers, selectors
from notifications.messages import email_message
from notifications.models import OutgoingEmail
from notifications.services import email_claim, email_failed, email_send, email_sent
from notifications.tasks import send_due_emails, send_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost(monkeypatch, django_capture_on_commit_callbacks, settings):
    """Issue an invoice whose email's task the broker lost: the row is written,
    nothing is queued to send it."""
    settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS = 120

    def issue() -> OutgoingEmail:
        dropped = []
        with monkeypatch.context() as patch:
            patch.setattr(handlers, "run_after_commit", lambda task, *args: dropped.append(args))
            with django_capture_on_commit_callbacks(execute=True):
                InvoiceFactory(amount=Decimal("100.00"), customer__email="payer@example.com")
        [(email_id,)] = dropped
        return OutgoingEmail.objects.get(pk=email_id)

    return issue


def overdue(email: OutgoingEmail, seconds: float, **changes) -> None:
    """Make the email due ``seconds`` ago (and change ``changes``)."""
    due = timezone.now() - datetime.timedelta(seconds=seconds)
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=due, **changes)


def row(email: OutgoingEmail) -> tuple:
    return OutgoingEmail.objects.values_list(
        "status", "attempts", "claimed_at", "next_attempt_at"
    ).get(pk=email.pk)


def test_an_email_whose_task_was_lost_is_sent_by_the_sweep_once(lost, mailoutbox):
    before = timezone.now()
    email = lost()
    assert email.status == "pending" and email.attempts == 0
    assert before <= email.next_attempt_at <= timezone.now()  # due from its creation
    assert send_due_emails.apply().get() == 0  # its own task may yet come: not before the grace
    assert mailoutbox == []
    overdue(email, 121)
    assert send_due_emails.apply().get() == 1
    [message] = mailoutbox
    assert message.to == ["payer@example.com"] and message.subject == email.subject
    assert row(email) == ("sent", 1, None, None)
    assert send_due_emails.apply().get() == 0
    assert send_email.apply(args=[email.pk]).get() == "skipped"  # queued again: sent already
    assert len(mailoutbox) == 1


def test_the_sweep_waits_out_the_grace_period(lost, settings):
    email = lost()
    overdue(email, 119)
    assert selectors.emails_due(limit=10) == []
    overdue(email, 121)
    assert selectors.emails_due(limit=10) == [email.pk]
    settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS = 0
    overdue(email, 0)
    assert selectors.emails_due(limit=10) == [email.pk]
    OutgoingEmail.objects.update(next_attempt_at=timezone.now() + datetime.timedelta(seconds=5))
    assert selectors.emails_due(limit=10) == []  # a retry not due yet


def test_the_sweep_takes_the_oldest_first_and_at_most_its_limit(lost):
    emails = [lost() for _ in range(3)]
    for age, email in zip((200, 400, 300), emails, strict=True):
        overdue(email, age)
    assert selectors.emails_due(limit=2) == [emails[1].pk, emails[2].pk]
    assert send_due_emails.apply(kwargs={"limit": 2}).get() == 2
    assert [email.status for email in OutgoingEmail.objects.order_by("pk")] == [
        "pending",
        "sent",
        "sent",
    ]


def test_a_live_claim_is_left_to_its_worker_and_a_lapsed_one_is_swept(lost, settings, mailoutbox):
    email = lost()
    # A worker claimed it 10 s ago and is sending it.
    overdue(email, 500, attempts=1, claimed_at=timezone.now() - datetime.timedelta(seconds=10))
    assert send_due_emails.apply().get() == 0
    # That worker died mid-send: once its claim lapses, the sweep sends the email.
    lapsed = settings.NOTIFICATIONS_EMAIL_CLAIM_SECONDS + 1
    OutgoingEmail.objects.update(claimed_at=timezone.now() - datetime.timedelta(seconds=lapsed))
    assert send_due_emails.apply().get() == 1
    assert len(mailoutbox) == 1 and row(email) == ("sent", 2, None, None)


def test_an_email_queued_twice_is_sent_once(lost, mailoutbox):
    email = lost()
    overdue(email, 500)
    sending = email_claim(email_id=email.pk)  # a worker takes it...
    assert send_email.apply(args=[email.pk]).get() == "held"  # ...the sweep's task leaves it
    email_message(sending).send()
    email_sent(email=sending)
    assert send_email.apply(args=[email.pk]).get() == "skipped"
    assert send_due_emails.apply().get() == 0
    assert len(mailoutbox) == 1 and row(email) == ("sent", 1, None, None)


def test_a_second_task_makes_no_attempt_before_the_email_is_due(lost, mailoutbox):
    email = lost()
    # Its first try failed and its retry is due in a minute; a second task
    # (queued by a sweep, say) arrives now.
    later = timezone.now() + datetime.timedelta(seconds=60)
    OutgoingEmail.objects.filter(pk=email.pk).update(attempts=1, next_attempt_at=later)
    assert email_send(email_id=email.pk).outcome == "skipped"
    assert mailoutbox == [] and row(email)[:2] == ("pending", 1)
    overdue(email, 0)
    assert email_send(email_id=email.pk).outcome == "sent"
    assert len(mailoutbox) == 1


def test_an_attempt_whose_claim_was_taken_over_does_not_undo_the_one_that_took_it(
    lost, settings, mailoutbox
):
    email = lost()
    overdue(email, 500)
    stalled = email_claim(email_id=email.pk)  # this worker stalls past its claim
    lapsed = settings.NOTIFICATIONS_EMAIL_CLAIM_SECONDS + 1
    OutgoingEmail.objects.update(claimed_at=timezone.now() - datetime.timedelta(seconds=lapsed))
    assert email_send(email_id=email.pk).outcome == "sent"  # another takes over and sends
    # The stalled worker's send then fails: the email stays sent, no retry follows.
    assert email_failed(email=stalled, error=TimeoutError("timed out")).outcome == "skipped"
    assert row(email) == ("sent", 2, None, None)
    assert OutgoingEmail.objects.get().last_error == ""
    assert len(mailoutbox) == 1


def test_the_beat_sweeps_every_minute(settings):
    from billing_site.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["send-due-emails"]
    app.loader.import_default_modules()
    assert entry == {"task": "notifications.tasks.send_due_emails", "schedule": 60.0}
    assert entry["task"] in app.tasks


# --- manage.py send_due_emails ----------------------------------------------------


def send_due(*args) -> str:
    out = io.StringIO()
    call_command("send_due_emails", *args, stdout=out)
    return out.getvalue()


def test_the_command_sends_overdue_emails_without_a_beat(lost, mailoutbox):
    emails = [lost() for _ in range(2)]
    empty = "0 overdue email(s): 0 sent, 0 to retry, 0 failed for good, 0 left to another worker.\n"
    assert send_due() == empty  # within the grace period
    for email in emails:
        overdue(email, 121)
    assert send_due("-v", "2") == (
        f"email {emails[0].pk}: sent\n"
        f"email {emails[1].pk}: sent\n"
        "2 overdue email(s): 2 sent, 0 to retry, 0 failed for good, 0 left to another worker.\n"
    )
    assert len(mailoutbox) == 2
    assert send_due() == empty
    assert send_due("-v", "0") == ""


def test_the_command_refuses_a_limit_below_one():
    with pytest.raises(CommandError, match=r"^--limit must be 1 or more, not 0$"):
        send_due("--limit", "0")


@pytest.mark.parametrize(
    "args,database,status,error",
    [
        (["--limit", "0"], "sqlite", 1, "CommandError: --limit must be 1 or more, not 0"),
        (
            ["--limit", "x"],
            "sqlite",
            2,
            "manage.py send_due_emails: error: argument --limit: invalid int value: 'x' "
            "(see --help)",
        ),
        ([], "unreachable", 1, "CommandError: OperationalError: (2002, "),
    ],
)
def test_the_commands_errors_are_one_line_and_a_nonzero_exit(
    tmp_path, args, database, status, error
):
    url = {
        "sqlite": f"sqlite:///{tmp_path / 'billing.sqlite3'}",
        "unreachable": f"mysql://root@127.0.0.1:{free_port()}/billing",
    }[database]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "billing_site.settings.local",
        "DATABASE_URL": url,
        "SECRET_KEY": "cron-test-" + "x9" * 30,
        "REQUEST_LOG_SPOOL_DIR": str(tmp_path / "spool"),
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, ROOT / "manage.py", "send_due_emails", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == status
    [line] = done.stderr.splitlines()
    assert line.startswith(error) and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_the_sweeps_interval_and_grace_come_from_the_environment(tmp_path):
    show = (
        "from django.conf import settings; "
        "print(settings.CELERY_BEAT_SCHEDULE['send-due-emails']['schedule'], "
        "settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS)"
    )

    def manage(*args, **env):
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "billing_site.settings.local",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'billing.sqlite3'}",
            "SECRET_KEY": "sweep-test-" + "x9" * 30,
            **env,
        }
        return subprocess.run(
            [sys.executable, ROOT / "manage.py", *args],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    interval = {"NOTIFICATIONS_SWEEP_SECONDS": "15", "NOTIFICATIONS_SWEEP_GRACE_SECONDS": "30"}
    shown = manage("shell", "-c", show, **interval)
    assert (shown.returncode, shown.stdout.split()[-2:]) == (0, ["15.0", "30"]), shown.stderr
    refused = manage("check", NOTIFICATIONS_SWEEP_SECONDS="0")
    assert refused.returncode != 0
    assert "NOTIFICATIONS_SWEEP_SECONDS must be 1 or more" in refused.stderr
