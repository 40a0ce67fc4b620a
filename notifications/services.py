"""An email's sending, step by step: claimed under its row's lock, sent outside
any transaction, then marked sent, or its failure recorded for the retry."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import OutgoingEmail


class EmailHeld(Exception):
    """Another worker claimed the email less than ``NOTIFICATIONS_EMAIL_CLAIM_SECONDS`` ago."""


@transaction.atomic
def email_claim(*, email_id: int) -> OutgoingEmail | None:
    """The email, counted as one more attempt, when it is still to be sent;
    None when it is not (sent, or given up). ``EmailHeld`` while another worker
    is sending it: its claim lapses if that worker died mid-send."""
    email = (
        OutgoingEmail.objects.select_for_update()
        .filter(pk=email_id, status=OutgoingEmail.Status.PENDING)
        .first()
    )
    if email is None:
        return None
    now = timezone.now()
    held = datetime.timedelta(seconds=settings.NOTIFICATIONS_EMAIL_CLAIM_SECONDS)
    if email.claimed_at is not None and email.claimed_at > now - held:
        raise EmailHeld(f"email {email.pk} is being sent since {email.claimed_at:%H:%M:%S}")
    email.claimed_at = now
    email.attempts += 1
    email.save(update_fields=["claimed_at", "attempts"])
    return email


def email_sent(*, email: OutgoingEmail) -> None:
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmail.Status.SENT, sent_at=timezone.now(), claimed_at=None
    )


def email_failed(*, email: OutgoingEmail, error: Exception, final: bool) -> None:
    """Record the failure; the email stays pending for its retry unless ``final``."""
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmail.Status.FAILED if final else OutgoingEmail.Status.PENDING,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        claimed_at=None,
    )
