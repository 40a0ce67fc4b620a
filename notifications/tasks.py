"""Sending an email on a worker: once (a sent email is skipped), outside any
transaction, retried with a growing delay when the mail server fails, and
given up after ``NOTIFICATIONS_EMAIL_RETRIES`` retries with the error kept.
The task's own retry is the fast path; the row's ``next_attempt_at`` is the
truth, and ``send_due_emails``, on the beat's schedule, sends what a lost task
(a broker restart, a worker gone before it acknowledged) left pending."""

import logging

from celery import shared_task

from billing_site.background import run_later

from . import selectors, services
from .services import retry_delay

__all__ = ["retry_delay", "send_due_emails", "send_email"]

log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_email(self, email_id: int) -> str:
    """Send the email and say what became of it: sent, retry, failed, held or
    skipped. Whether it is the last try is the row's to say (its ``attempts``),
    not Celery's count of this task's retries: the sweep's tasks try it too."""
    # In-process (no broker) a retry runs at once, not at its due time; there
    # no second task can be queued for the email, so the due check is moot.
    attempt = services.email_send(email_id=email_id, due_only=not self.request.is_eager)
    if attempt.outcome == "retry":
        raise self.retry(exc=attempt.error, countdown=attempt.retry_in) from attempt.error
    return attempt.outcome


@shared_task
def send_due_emails(limit: int = 500) -> int:
    """Queue ``send_email`` for every pending email left overdue (see
    ``selectors.emails_due``); how many it queued. Queuing one twice is safe:
    its claim lets one worker send it, once."""
    due = selectors.emails_due(limit=limit)
    for email_id in due:
        run_later(send_email, email_id)
    if due:
        log.info("queued %s overdue email(s)", len(due))
    return len(due)
