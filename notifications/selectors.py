"""Reads of the emails: which ones the sweep sends."""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import OutgoingEmail


def emails_due(*, limit: int) -> list[int]:
    """The ids of the pending emails, oldest due first, whose next try has been
    due for longer than ``NOTIFICATIONS_SWEEP_GRACE_SECONDS`` (the task queued
    for it, first or retry, had its chance: it was lost with the broker or a
    worker) and that no live worker holds (no claim, or one older than
    ``NOTIFICATIONS_EMAIL_CLAIM_SECONDS``: its worker died mid-send)."""
    now = timezone.now()
    grace = datetime.timedelta(seconds=settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS)
    lapsed = now - datetime.timedelta(seconds=settings.NOTIFICATIONS_EMAIL_CLAIM_SECONDS)
    return list(
        OutgoingEmail.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lte=lapsed),
            status=OutgoingEmail.Status.PENDING,
            next_attempt_at__lte=now - grace,
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
