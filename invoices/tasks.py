"""The invoices' periodic work on the beat's schedule."""

from celery import shared_task

from .reminders import overdue_reminders_send


@shared_task
def send_overdue_reminders() -> int:
    """Send the reminders of overdue invoices that are due; how many were sent.
    Safe to run from several beats or workers at once (``invoice_remind``)."""
    return len(overdue_reminders_send().sent)
