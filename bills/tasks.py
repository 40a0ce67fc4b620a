"""The beat's issue of recurring bills (``CELERY_BEAT_SCHEDULE``
"issue-recurring-bills"); ``manage.py issue_recurring_bills`` does the same for a
site without Celery beat."""

import logging

from celery import shared_task
from django.utils import timezone

from . import services

log = logging.getLogger(__name__)


@shared_task
def issue_recurring_bills() -> int:
    """Issue every recurring bill due today; how many. Safe to run twice or
    side by side (a task given again, two beats): each period is billed once."""
    run = services.bills_recurring_issue(today=timezone.localdate())
    for bill_no, reason in run.failed:
        log.error("Recurring bill %s: its next bill was not issued: %s", bill_no, reason)
    return len(run.issued)
