"""Reminders of overdue invoices. Each stage of ``INVOICE_REMINDER_DAYS`` (days
after the due date) is sent once per invoice: the reminder's row and its
``invoice.overdue`` event are written in one transaction, under the invoice's
row lock, and the database's unique (invoice, stage) refuses a second row, so
two beat processes or workers running at once still send each stage once. An
invoice the schedule missed for a while (the beat was down) gets only the
latest stage due, never the stages it skipped. The email goes out from the
event (notifications). A later due date does not start the stages again."""

import datetime
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from .events import invoice_overdue_event
from .models import Invoice, InvoiceReminder, billing_today

log = logging.getLogger(__name__)


def reminder_stages() -> tuple[int, ...]:
    """``INVOICE_REMINDER_DAYS``, ascending."""
    return tuple(sorted(set(settings.INVOICE_REMINDER_DAYS)))


def reminder_stage(days_overdue: int, stages: tuple[int, ...]) -> int | None:
    """The latest stage due ``days_overdue`` days after the due date, if any."""
    due = [stage for stage in stages if stage <= days_overdue]
    return due[-1] if due else None


@dataclass(frozen=True)
class ReminderDue:
    invoice_id: int
    number: str
    days_overdue: int
    stage: int


def reminders_due(*, today: datetime.date, stages: tuple[int, ...]) -> Iterator[ReminderDue]:
    """The overdue invoices whose latest stage due was not sent yet, by id. One
    query: an invoice whose last stage was sent is left out there."""
    if not stages:
        return
    rows = (
        Invoice.objects.overdue(today)
        .filter(due_date__lte=today - datetime.timedelta(days=stages[0]))
        .annotate(last_stage=Max("reminders__stage"))
        .filter(Q(last_stage__isnull=True) | Q(last_stage__lt=stages[-1]))
        .order_by("pk")
        .values_list("pk", "number", "due_date", "last_stage")
    )
    for pk, number, due_date, last_stage in rows.iterator():
        days = (today - due_date).days
        stage = reminder_stage(days, stages)
        if stage is not None and (last_stage is None or stage > last_stage):
            yield ReminderDue(invoice_id=pk, number=number, days_overdue=days, stage=stage)


@transaction.atomic
def invoice_remind(
    *, invoice_id: int, today: datetime.date, stages: tuple[int, ...]
) -> InvoiceReminder | None:
    """Record and emit the invoice's latest reminder stage due on ``today``, if
    it was not sent (nor a later one); None when there is none to send: paid,
    voided, not overdue, or sent already by a concurrent run. Checked again under
    the invoice's row lock, which a payment takes too: a reminder never goes out
    for an invoice paid meanwhile."""
    invoice = Invoice.objects.select_for_update().filter(pk=invoice_id).first()
    if invoice is None:
        return None
    days = invoice.days_overdue(today)
    stage = reminder_stage(days, stages)
    if stage is None or invoice.reminders.filter(stage__gte=stage).exists():
        return None
    try:
        with transaction.atomic():  # the constraint: a row written without the lock
            reminder = InvoiceReminder.objects.create(
                invoice=invoice, stage=stage, days_overdue=days, due_date=invoice.due_date
            )
    except IntegrityError:
        return None
    reminder.event = invoice_overdue_event(invoice, days_overdue=days, stage=stage)
    reminder.save(update_fields=["event"])
    return reminder


@dataclass
class RemindersOutcome:
    due: list[ReminderDue]
    sent: list[ReminderDue]
    failed: list[ReminderDue]


def overdue_reminders_send(
    *, today: datetime.date | None = None, dry_run: bool = False
) -> RemindersOutcome:
    """Send each reminder due (``reminders_due``), each in its own transaction
    (with ``dry_run``: say which are due, write nothing). One invoice's failure
    is logged and does not hold the others back: the next run tries it again.
    A reminder due but not sent was sent meanwhile by a concurrent run, or the
    invoice was paid or voided."""
    today = today or billing_today()
    stages = reminder_stages()
    outcome = RemindersOutcome(
        due=list(reminders_due(today=today, stages=stages)), sent=[], failed=[]
    )
    if dry_run:
        return outcome
    for reminder in outcome.due:
        try:
            done = invoice_remind(invoice_id=reminder.invoice_id, today=today, stages=stages)
        except Exception:  # one invoice's failure must not stop the rest
            log.exception(
                "the reminder of invoice %s failed; the next run tries again", reminder.number
            )
            outcome.failed.append(reminder)
            continue
        if done is not None:
            outcome.sent.append(reminder)
    return outcome
