"""Reminders sent by several schedulers at once: each invoice gets each stage
once. In-process threads share MariaDB's row locks (SQLite's in-memory test
database serves one connection at a time)."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction

from events.models import Event
from invoices.models import InvoiceReminder
from invoices.reminders import invoice_remind, overdue_reminders_send
from invoices.tests.factories import InvoiceFactory
from payments.services import payment_record

DUE = datetime.date(2026, 3, 1)
INVOICES = 5
SCHEDULERS = 6

on_mariadb = pytest.mark.skipif(
    connection.vendor != "mysql", reason="in-process threads need MariaDB's row locks"
)


@pytest.fixture(autouse=True)
def stages(settings):
    settings.INVOICE_REMINDER_DAYS = [3, 7, 14]


def _race(calls):
    """Run every call in a thread of its own, all released at once; their results in order."""
    barrier = threading.Barrier(len(calls))

    def one(call):
        barrier.wait()
        try:
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def late_invoices(count):
    return [
        InvoiceFactory(issue_date=DUE - datetime.timedelta(days=30), due_date=DUE)
        for _ in range(count)
    ]


@on_mariadb
@pytest.mark.django_db(transaction=True)
def test_schedulers_running_at_once_send_each_stage_once_on_mariadb():
    invoices = late_invoices(INVOICES)
    for days in (8, 9, 20):  # stage 7 on day 8, none on day 9, stage 14 on day 20
        today = DUE + datetime.timedelta(days=days)
        outcomes = _race([lambda today=today: overdue_reminders_send(today=today)] * SCHEDULERS)
        sent = sorted(reminder.invoice_id for outcome in outcomes for reminder in outcome.sent)
        assert sent == ([] if days == 9 else sorted(invoice.pk for invoice in invoices))
        assert not any(outcome.failed for outcome in outcomes)
    for invoice in invoices:
        assert list(invoice.reminders.values_list("stage", flat=True)) == [7, 14]
    assert Event.objects.filter(type="invoice.overdue").count() == 2 * INVOICES
    assert InvoiceReminder.objects.filter(event__isnull=True).count() == 0


@on_mariadb
@pytest.mark.django_db(transaction=True)
def test_a_reminder_racing_the_payment_of_the_whole_balance_on_mariadb():
    """Both take the invoice's row lock: the reminder goes out before the
    payment or not at all, never for an invoice already paid."""
    invoices = late_invoices(INVOICES)
    today = DUE + datetime.timedelta(days=4)
    calls = []
    for invoice in invoices:
        calls += [
            lambda pk=invoice.pk: invoice_remind(invoice_id=pk, today=today, stages=(3, 7, 14)),
            lambda pk=invoice.pk: payment_record(
                invoice_id=pk, amount=Decimal("100.00"), method="cash"
            ),
        ]
    results = _race(calls)
    for index, invoice in enumerate(invoices):
        reminder, payment = results[2 * index], results[2 * index + 1]
        assert payment.invoice_id == invoice.pk
        if reminder is not None:  # made before the payment, under the same lock
            assert reminder.event.data["balance"] == "100.00"
        assert invoice.reminders.count() == (0 if reminder is None else 1)


@pytest.mark.django_db
def test_the_database_refuses_a_second_reminder_of_a_stage():
    [invoice] = late_invoices(1)
    InvoiceReminder.objects.create(invoice=invoice, stage=3, days_overdue=3, due_date=DUE)
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceReminder.objects.create(invoice=invoice, stage=3, days_overdue=4, due_date=DUE)
