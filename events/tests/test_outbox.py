"""The outbox: every ledger change writes its event in its own transaction, a
change that rolls back writes none, and the relay hands each committed event
to the handlers once, after commit, or later from the sweep."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from bills.services import bill_create, bill_update, collection_create
from bills.tests.test_bills_api import DOCUMENT_BILL
from events import registry
from events.models import Event
from events.services import _RelayOnCommit
from events.tasks import relay, relay_pending
from invoices.services import invoice_issue, invoice_void
from invoices.tests.factories import InvoiceFactory
from payments.services import payment_record
from reports.services import report_generate
from reports.tests.factories import make_orders

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """The events a handler was given, in order."""
    events = []
    registry.handle(events.append)
    yield events
    registry._handlers.remove(events.append)


def types(since: str = "") -> list[str]:
    return list(Event.objects.filter(pk__gt=since).values_list("type", flat=True))


def test_each_change_writes_its_event_and_the_relay_hands_it_over_after_commit(
    heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invoice = InvoiceFactory(amount=Decimal("100.00"))
    assert types() == ["invoice.created", "invoice.issued"]
    # One relay for the transaction's events (the handlers may queue work of their own).
    assert sum(isinstance(callback, _RelayOnCommit) for callback in callbacks) == 1
    assert [event.type for event in heard] == ["invoice.created", "invoice.issued"]
    issued = Event.objects.get(type="invoice.issued")
    assert issued.relayed_at is not None and issued.customer_id == invoice.customer_id
    assert issued.data == {
        "id": invoice.pk,
        "number": invoice.number,
        "order_id": invoice.order_id,
        "customer_id": invoice.customer_id,
        "status": "open",
        "currency": "USD",
        "total": "100.00",
        "amount_paid": "0.00",
        "balance": "100.00",
        "issue_date": "2026-01-15",
        "due_date": "2026-02-14",
    }
    assert issued.id.startswith("evt_") and len(issued.id) == 28


def test_payments_write_payment_succeeded_then_invoice_paid(heard):
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    last = Event.objects.last().pk
    payment_record(invoice_id=invoice.pk, amount=Decimal(40), method="card", card_brand="visa")
    payment_record(invoice_id=invoice.pk, amount=Decimal(60), method="bank_transfer")
    assert types(last) == ["payment.succeeded", "payment.succeeded", "invoice.paid"]
    first, second, paid = Event.objects.filter(pk__gt=last)
    assert (first.data["amount"], first.data["card_brand"]) == ("40.00", "visa")
    assert (second.data["amount"], paid.data["status"], paid.data["balance"]) == (
        "60.00",
        "paid",
        "0.00",
    )


def test_a_change_that_rolls_back_writes_no_event_and_relays_nothing(
    heard, django_capture_on_commit_callbacks
):
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    before = Event.objects.count()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        payment_record(invoice_id=invoice.pk, amount=Decimal(100), method="card")
        raise RuntimeError("the request fails after the payment")
    assert Event.objects.count() == before
    assert callbacks == [] and heard == []


def test_voids_and_bills(heard):
    draft = InvoiceFactory(issue=False)
    invoice_void(invoice=draft)
    collection = collection_create(code="fees", title="Fees", organization_name="School")
    bill = bill_create(
        collection=collection,
        due=datetime.date(2026, 3, 31),
        ref1="Term 2",
        ref2="",
        currency="MYR",
        customer=DOCUMENT_BILL["customer"],
        products=[{"title": "Fee", "price": Decimal(105), "quantity": Decimal(1)}],
    )
    other = bill_create(
        collection=collection,
        due=datetime.date(2026, 3, 31),
        ref1="Term 3",
        ref2="",
        currency="MYR",
        customer=DOCUMENT_BILL["customer"],
        products=[{"title": "Fee", "price": Decimal(105), "quantity": Decimal(1)}],
    )
    payment_record(invoice_id=bill.invoice_id, amount=Decimal(105), method="card")
    bill_update(bill=other, cancel=True)
    assert types() == [
        "invoice.created",
        "invoice.voided",
        "invoice.created",
        "invoice.issued",
        "bill.created",
        "invoice.created",
        "invoice.issued",
        "bill.created",
        "payment.succeeded",
        "invoice.paid",
        "bill.paid",
        "invoice.voided",
        "bill.cancelled",
    ]
    paid = Event.objects.get(type="bill.paid")
    assert paid.data["bill_no"] == bill.bill_no and paid.data["status"] == "paid"
    assert paid.data["collection"] == "fees" and paid.data["paid_amount"] == "105.00"


def test_reports_write_report_generated():
    customer, _, _ = make_orders(count=2)
    report = report_generate(
        customer=customer, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )
    event = Event.objects.get(type="report.generated")
    assert event.data["id"] == report.pk and event.customer_id == customer.pk
    assert event.data["total_amount"] == str(report.total_amount)


def test_the_sweep_relays_what_the_first_relay_lost_and_each_event_only_once(heard, settings):
    settings.EVENTS_RELAY_GRACE_SECONDS = 60
    InvoiceFactory(issue=False)  # not relayed: no commit in a test's transaction
    [event] = Event.objects.all()
    assert event.relayed_at is None
    assert relay_pending() == 0  # too young: its first relay may still come
    Event.objects.filter(pk=event.pk).update(
        created_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    assert relay_pending() == 1
    assert relay([event.pk]) == 0  # a late first relay finds it done
    assert relay_pending() == 0
    assert [e.pk for e in heard] == [event.pk]


def test_only_the_ledgers_event_types_are_written():
    from events.services import event_emit

    with pytest.raises(ValueError), transaction.atomic():
        event_emit(type="invoice.exploded", data={})


def test_issue_through_the_service_is_one_event_per_move(heard):
    draft = InvoiceFactory(issue=False)
    invoice_issue(invoice=draft)
    assert types() == ["invoice.created", "invoice.issued"]


@pytest.mark.django_db(transaction=True)
def test_a_broker_down_leaves_the_change_committed_and_its_events_to_the_sweep(
    broker_down, heard, settings
):
    invoice = InvoiceFactory(amount=Decimal("100.00"))  # queueing the relay fails after commit
    events = list(Event.objects.filter(customer_id=invoice.customer_id))
    assert [event.type for event in events] == ["invoice.created", "invoice.issued"]
    assert all(event.relayed_at is None for event in events) and heard == []
    settings.EVENTS_RELAY_GRACE_SECONDS = 0
    assert relay_pending() == 2
    assert [event.pk for event in heard] == [event.pk for event in events]


def test_events_written_together_go_in_one_insert_in_their_order(django_assert_num_queries):
    from events.services import event_emit, written_together

    with transaction.atomic():
        with django_assert_num_queries(1), written_together():
            event_emit(type="invoice.paid", data={"n": 1}, customer_id=None)
            event_emit(type="invoice.voided", data={"n": 2}, customer_id=None)
            with written_together():  # the outer block writes these too
                event_emit(type="invoice.issued", data={"n": 3}, customer_id=None)
        with pytest.raises(RuntimeError), written_together():
            event_emit(type="invoice.paid", data={"n": 4}, customer_id=None)
            raise RuntimeError("the change fails")
    assert [event.data["n"] for event in Event.objects.all()] == [1, 2, 3]


@pytest.mark.django_db(transaction=True)
def test_with_a_broker_a_process_queues_the_events_of_its_commits_as_one_relay(heard, monkeypatch):
    import time

    from billing_site.celery import app
    from events import services

    services._relays.flush()  # what earlier tests left
    queued = []
    monkeypatch.setattr(services, "run_later", lambda task, ids: queued.append((task, ids)))
    monkeypatch.setattr(services, "RELAY_LINGER", 1.0)
    app.conf.task_always_eager = False  # a broker: the relay is queued
    try:
        InvoiceFactory()
        InvoiceFactory()  # another transaction
    finally:
        app.conf.task_always_eager = True
    written = list(Event.objects.values_list("pk", flat=True))
    assert len(written) == 4 and heard == []  # nothing relayed in the request's process
    deadline = time.monotonic() + 10
    while sum(len(ids) for _, ids in queued) < len(written) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [(task, ids) for task, ids in queued if set(ids) & set(written)] == [(relay, written)]


def test_a_relay_that_cannot_be_queued_is_left_to_the_sweep(monkeypatch, caplog):
    from events import services

    def broker_down(task, ids):
        raise ConnectionError("no broker")

    monkeypatch.setattr(services, "run_later", broker_down)
    waiting = services._RelayQueue()
    with waiting._lock:  # no thread: flushed here
        waiting._ids.extend(["evt_1", "evt_2"])
    waiting.flush()  # logged, never raised
    assert "2 events wait for the relay's sweep" in caplog.text
    assert waiting._ids == []


def test_one_events_failure_in_a_relay_of_many_leaves_only_that_one_to_the_sweep(heard):
    invoice = InvoiceFactory(issue=False)
    invoice_issue(invoice=invoice)
    ids = list(Event.objects.values_list("pk", flat=True))
    assert len(ids) == 2  # not relayed: no commit in a test's transaction

    def fails_on_the_first(event):
        if event.pk == ids[0]:
            raise RuntimeError("the handler fails")

    registry.handle(fails_on_the_first)
    try:
        assert relay(ids) == 1
    finally:
        registry._handlers.remove(fails_on_the_first)
    relayed = dict(Event.objects.values_list("pk", "relayed_at"))
    assert relayed[ids[0]] is None and relayed[ids[1]] is not None
