"""Sending deliveries: the first attempt right after the event's relay, the
retries from the beat's sweep of due deliveries."""

import logging

from celery import shared_task

from billing_site.background import run_later

from . import services

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def deliver(delivery_id: int) -> bool:
    """One attempt of the delivery if it is due; whether one was made."""
    return services.delivery_attempt(delivery_id=delivery_id) is not None


@shared_task
def deliver_due(limit: int = 500) -> int:
    """Queue an attempt of every delivery whose next attempt is due."""
    due = services.due_deliveries(limit=limit)
    for delivery_id in due:
        run_later(deliver, delivery_id)
    return len(due)
