"""An email's sending, step by step: claimed under its row's lock, sent outside
any transaction, then marked sent, or its failure recorded with when the next
try is due. The row, not the broker, is the truth: a task the broker lost
leaves a pending email that is due, and the beat's sweep sends it."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing_site.background import run_after_commit
from billing_site.errors import ConflictError

from .messages import email_message
from .models import OutgoingEmail

log = logging.getLogger(__name__)


class EmailHeld(Exception):
    """Another worker claimed the email less than ``NOTIFICATIONS_EMAIL_CLAIM_SECONDS`` ago."""


def retry_delay(failures: int) -> int:
    """Seconds before the next try after the ``failures``-th failure (1, 2 ...):
    the base delay, doubled after each retry."""
    return settings.NOTIFICATIONS_EMAIL_RETRY_SECONDS * 2 ** (failures - 1)


# A task's retry may reach a worker whose clock is a little behind the one that
# set the due time: that early, it is taken as due.
EARLY = datetime.timedelta(seconds=5)


def claim_lapse() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.NOTIFICATIONS_EMAIL_CLAIM_SECONDS)


@transaction.atomic
def email_claim(*, email_id: int, due_only: bool = True) -> OutgoingEmail | None:
    """The email, counted as one more attempt, when it is to be sent now; None
    when it is not (sent, given up, or, with ``due_only``, its next try is not
    due yet: a second task queued for it, by the sweep and by a retry, makes no
    early attempt). ``EmailHeld`` while another worker is sending it: its claim
    lapses if that worker died mid-send."""
    email = (
        OutgoingEmail.objects.select_for_update()
        .filter(pk=email_id, status=OutgoingEmail.Status.PENDING)
        .first()
    )
    if email is None:
        return None
    now = timezone.now()
    if due_only and email.next_attempt_at is not None and email.next_attempt_at > now + EARLY:
        return None
    if email.claimed_at is not None and email.claimed_at > now - claim_lapse():
        raise EmailHeld(f"email {email.pk} is being sent since {email.claimed_at:%H:%M:%S}")
    email.claimed_at = now
    email.attempts += 1
    email.save(update_fields=["claimed_at", "attempts"])
    return email


def _still_claimed(email: OutgoingEmail):
    """The row while the claim ``email`` was returned with is still its claim
    (not lapsed and taken over by another worker, not re-sent meanwhile)."""
    return OutgoingEmail.objects.filter(
        pk=email.pk,
        status=OutgoingEmail.Status.PENDING,
        attempts=email.attempts,
        claimed_at=email.claimed_at,
    )


def email_sent(*, email: OutgoingEmail) -> None:
    """It went out: sent, whoever holds the claim now (a row already marked sent
    keeps its first time)."""
    OutgoingEmail.objects.filter(pk=email.pk).exclude(status=OutgoingEmail.Status.SENT).update(
        status=OutgoingEmail.Status.SENT,
        sent_at=timezone.now(),
        claimed_at=None,
        next_attempt_at=None,
    )


@dataclass(frozen=True)
class Attempt:
    """What one attempt did: ``outcome`` is sent, retry (due again in
    ``retry_in`` seconds), failed (given up), held (another worker is sending
    it) or skipped (sent, given up, not due, or taken over by another worker)."""

    outcome: str
    retry_in: int | None = None
    error: Exception | None = None


@transaction.atomic
def email_failed(*, email: OutgoingEmail, error: Exception) -> Attempt:
    """Record the failure of the attempt ``email`` was claimed for: a retry
    due in ``retry_in`` seconds, which the row holds as ``next_attempt_at``; or,
    after the last of the row's attempts (1 + ``NOTIFICATIONS_EMAIL_RETRIES``,
    however many tasks made them), failed for good. Skipped when another worker
    has claimed the email since (this claim lapsed): its attempt decides."""
    held = _still_claimed(email).select_for_update().first()
    if held is None:
        return Attempt("skipped", error=error)
    now = timezone.now()
    final = held.attempts > settings.NOTIFICATIONS_EMAIL_RETRIES
    delay = None if final else retry_delay(held.attempts)
    OutgoingEmail.objects.filter(pk=held.pk).update(
        status=OutgoingEmail.Status.FAILED if final else OutgoingEmail.Status.PENDING,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        claimed_at=None,
        next_attempt_at=None if final else now + datetime.timedelta(seconds=delay),
    )
    if final:
        log.warning(
            "email %s to %s failed for good after %s attempts: %s",
            held.pk,
            held.to,
            held.attempts,
            error,
        )
    return Attempt("failed" if final else "retry", delay, error)


def email_send(*, email_id: int, due_only: bool = True) -> Attempt:
    """One attempt at the email, the message sent outside any transaction."""
    try:
        email = email_claim(email_id=email_id, due_only=due_only)
    except EmailHeld:
        # Its sender is on it; if that sender died, the sweep sends the email
        # once the claim has lapsed.
        return Attempt("held")
    if email is None:
        return Attempt("skipped")
    try:
        email_message(email).send()
    except Exception as error:
        return email_failed(email=email, error=error)
    email_sent(email=email)
    return Attempt("sent")


def _send_after_commit(email_id: int) -> None:
    from .tasks import send_email  # tasks import the Celery app, which imports settings

    run_after_commit(send_email, email_id)


@transaction.atomic
def email_resend(*, email: OutgoingEmail) -> OutgoingEmail:
    """Send the email again; the email that will be sent is returned.

    A failed email is pending again, due now, with its attempts counted from
    zero. A sent one stays the record of what was sent: its re-send is a new
    row copying it (same event, kind, address and subject, the next
    ``copy_number``; the PDF is rendered when it is sent, so it shows the
    document as it is then). Refused (409) while the email, or a re-send of the
    same event's email, is pending: it is already on its way."""
    family = list(
        OutgoingEmail.objects.select_for_update()
        .filter(event_id=email.event_id, kind=email.kind)
        .order_by("copy_number")
    )
    current = next((row for row in family if row.pk == email.pk), None)
    if current is None:
        raise ConflictError(f"Email {email.pk} no longer exists.")
    if current.status == OutgoingEmail.Status.PENDING:
        raise ConflictError(f"Email {current.pk} is pending: it is already being sent.")
    pending = [row for row in family if row.status == OutgoingEmail.Status.PENDING]
    if pending:
        raise ConflictError(
            f"A re-send of email {current.pk} (email {pending[0].pk}) is pending: "
            "it is already being sent."
        )
    now = timezone.now()
    if current.status == OutgoingEmail.Status.FAILED:
        OutgoingEmail.objects.filter(pk=current.pk).update(
            status=OutgoingEmail.Status.PENDING,
            attempts=0,
            claimed_at=None,
            next_attempt_at=now,
        )
        resent = current
    else:
        resent = OutgoingEmail(
            event_id=current.event_id,
            kind=current.kind,
            copy_number=max(row.copy_number for row in family) + 1,
            resend_of=current,
            to=current.to,
            subject=current.subject,
            next_attempt_at=now,
        )
        resent.full_clean()
        resent.save()
    _send_after_commit(resent.pk)
    resent.refresh_from_db()
    return resent
