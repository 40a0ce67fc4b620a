"""Sending an email on a worker: once (a sent email is skipped), outside any
transaction, retried with a growing delay when the mail server fails, and
given up after ``NOTIFICATIONS_EMAIL_RETRIES`` retries with the error kept."""

import logging

from celery import shared_task
from django.conf import settings

from .messages import email_message
from .services import EmailHeld, email_claim, email_failed, email_sent

log = logging.getLogger(__name__)


def retry_delay(retries: int) -> int:
    """Seconds before the next try: the base delay, doubled after each retry."""
    return settings.NOTIFICATIONS_EMAIL_RETRY_SECONDS * 2**retries


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_email(self, email_id: int) -> str:
    """Send the email and say what became of it: sent, skipped, or failed."""
    retries = settings.NOTIFICATIONS_EMAIL_RETRIES
    try:
        email = email_claim(email_id=email_id)
    except EmailHeld as held:
        # Its sender may have died mid-send: look again once the claim has lapsed.
        countdown = settings.NOTIFICATIONS_EMAIL_CLAIM_SECONDS
        raise self.retry(exc=held, countdown=countdown, max_retries=retries) from held
    if email is None:
        return "skipped"
    try:
        email_message(email).send()
    except Exception as error:
        final = self.request.retries >= retries
        email_failed(email=email, error=error, final=final)
        if final:
            log.warning("email %s to %s failed for good: %s", email.pk, email.to, error)
            return "failed"
        raise self.retry(exc=error, countdown=retry_delay(self.request.retries)) from error
    email_sent(email=email)
    return "sent"
