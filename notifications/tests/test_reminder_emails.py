"""The reminder of an overdue invoice by email: queued from its
``invoice.overdue`` event, once, with the invoice's PDF attached as the issued
invoice's email has it, to a customer with an address who has not opted out."""

import datetime
from decimal import Decimal

import pytest

from events.models import Event
from events.tasks import relay
from invoices.models import Invoice
from invoices.reminders import overdue_reminders_send
from invoices.tests.factories import InvoiceFactory
from notifications.models import OutgoingEmail
from notifications.tasks import send_email
from payments.services import payment_record

from .mail import locmem_pdf

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def stages(settings):
    settings.INVOICE_REMINDER_DAYS = [3, 7, 14]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def late_invoice(committed, mailoutbox):
    """An invoice due on ``DUE`` of 100.00 USD, 40.00 paid; its own emails (the
    invoice, the receipt) sent and out of the way. Made in a commit of its own:
    the relay of a later commit would otherwise join this one's, already run."""

    def make(**customer) -> Invoice:
        with committed():
            invoice = InvoiceFactory(
                issue_date=DUE - datetime.timedelta(days=30),
                due_date=DUE,
                **{f"customer__{key}": value for key, value in customer.items()},
            )
            payment_record(invoice_id=invoice.pk, amount=Decimal("40.00"), method="cash")
        mailoutbox.clear()
        OutgoingEmail.objects.all().delete()
        return invoice

    return make


def remind(days: int):
    return overdue_reminders_send(today=DUE + datetime.timedelta(days=days))


def test_a_reminder_is_emailed_with_the_invoice_pdf(late_invoice, committed, mailoutbox):
    invoice = late_invoice(name="Jane Roe", email="jane@example.com")
    with committed():
        remind(8)
    [message] = mailoutbox
    assert message.to == ["jane@example.com"]
    assert message.subject == f"Reminder: invoice {invoice.number} is 8 days overdue"
    assert "Jane Roe" in message.body and "8 days overdue" in message.body
    assert "60.00" in message.body  # what is still to be paid
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and "<strong>8 days overdue</strong>" in html
    filename, pages = locmem_pdf(message)
    assert filename == f"invoice_{invoice.number}.pdf"
    assert f"Invoice number {invoice.number}" in pages[0]
    email = OutgoingEmail.objects.get()
    assert (email.kind, email.status, email.event.type) == ("reminder", "sent", "invoice.overdue")


def test_each_stage_is_one_email(late_invoice, committed, mailoutbox):
    invoice = late_invoice(email="jane@example.com")
    for days in (3, 4, 7, 7, 30):
        with committed():
            remind(days)
    assert [message.subject for message in mailoutbox] == [
        f"Reminder: invoice {invoice.number} is {days} days overdue" for days in (3, 7, 30)
    ]


def test_an_event_relayed_again_is_emailed_once(late_invoice, committed, mailoutbox):
    late_invoice(email="jane@example.com")
    with committed():
        remind(3)
    event = Event.objects.get(type="invoice.overdue")
    Event.objects.filter(pk=event.pk).update(relayed_at=None)
    with committed():
        relay([event.pk])
    email = OutgoingEmail.objects.get()
    assert send_email.delay(email.pk).get() == "skipped"
    assert len(mailoutbox) == 1


def test_the_opt_out_is_respected(late_invoice, committed, mailoutbox):
    late_invoice(email="quiet@example.com", email_documents=False)
    late_invoice(email="")
    with committed():
        remind(3)
    assert Event.objects.filter(type="invoice.overdue").count() == 2
    assert mailoutbox == [] and not OutgoingEmail.objects.exists()


def test_an_invoice_paid_before_its_reminder_is_relayed_is_not_emailed(
    late_invoice, committed, mailoutbox
):
    invoice = late_invoice(email="jane@example.com")
    remind(3)  # not committed: the event waits for the relay
    payment_record(invoice_id=invoice.pk, amount=Decimal("60.00"), method="cash")
    event = Event.objects.get(type="invoice.overdue")
    with committed():
        relay([event.pk])
    assert not OutgoingEmail.objects.filter(kind="reminder").exists()
    assert [message.subject for message in mailoutbox] == []
