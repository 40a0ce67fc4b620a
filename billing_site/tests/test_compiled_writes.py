"""The compiled INSERT and UPDATE write what ``save()`` and ``bulk_create`` would,
column by column, in one statement."""

import datetime
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection
from django.db.models import signals
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing_site import compiled_writes
from events.models import Event
from invoices.models import Invoice
from invoices.tests.factories import InvoiceFactory
from payments.models import Payment

pytestmark = pytest.mark.django_db

PAID_AT = datetime.datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=datetime.UTC)


def payment(invoice: Invoice, **fields) -> Payment:
    return Payment(
        invoice=invoice,
        amount=Decimal("12.34"),
        currency="USD",
        method=Payment.Method.CARD,
        provider="sandbox",
        card_brand="visa",
        card_last4="4242",
        card_exp_month=12,
        card_exp_year=2030,
        paid_at=PAID_AT,
        **fields,
    )


def stored(model, pk, leave_out=("id", "created_at")) -> dict:
    row = model.objects.filter(pk=pk).values().get()
    return {name: value for name, value in row.items() if name not in leave_out}


def test_an_inserted_row_is_the_row_save_writes_and_gets_its_id():
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    by_save = payment(invoice, provider_reference="ref-1")
    by_save.save()
    compiled = payment(invoice, provider_reference="ref-2")
    before = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        compiled_writes.insert([compiled])
    assert len(queries) == 1
    assert compiled.pk is not None and compiled.pk != by_save.pk
    assert not compiled._state.adding and compiled._state.db == "default"
    expected = stored(Payment, by_save.pk) | {"provider_reference": "ref-2"}
    assert stored(Payment, compiled.pk) == expected
    # auto_now_add stamped as save() stamps it, on the row and in the database.
    created = Payment.objects.get(pk=compiled.pk).created_at
    assert created == compiled.created_at and created >= before


def test_rows_with_their_own_keys_go_in_one_statement_and_many_through_bulk_create():
    amount = {"amount": Decimal("10.005"), "at": timezone.now()}
    few = [Event(type="invoice.paid", data=amount, customer_id=n) for n in range(3)]
    with CaptureQueriesContext(connection) as queries:
        compiled_writes.insert(few)
    assert len(queries) == 1
    rows = list(Event.objects.filter(pk__in=[event.pk for event in few]).values())
    assert [(row["id"], row["customer_id"]) for row in rows] == [(e.pk, e.customer_id) for e in few]
    # The field's own encoder (DjangoJSONEncoder): exact digits, ISO time.
    assert rows[0]["data"] == {"amount": "10.005", "at": DjangoJSONEncoder().default(amount["at"])}
    many = [Event(type="invoice.paid", data={}, customer_id=n) for n in range(9)]
    compiled_writes.insert(many)
    assert Event.objects.filter(pk__in=[event.pk for event in many]).count() == 9


def test_an_update_writes_the_fields_named_and_stamps_auto_now():
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    before = stored(Invoice, invoice.pk, leave_out=())
    invoice.amount_paid = Decimal("40.00")
    invoice.description = "not saved: not named"
    with CaptureQueriesContext(connection) as queries:
        compiled_writes.update(invoice, ("amount_paid", "updated_at"))
    assert len(queries) == 1
    after = stored(Invoice, invoice.pk, leave_out=())
    assert (
        after["amount_paid"] == Decimal("40.00") and after["description"] == before["description"]
    )
    assert after["updated_at"] == invoice.updated_at > before["updated_at"]
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"amount_paid", "updated_at"}


def test_an_update_of_a_row_gone_is_an_error_as_save_makes_it():
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    gone = Invoice.objects.get(pk=invoice.pk)
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.DRAFT)
    Invoice.objects.filter(pk=invoice.pk).delete()
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        compiled_writes.update(gone, ("amount_paid", "updated_at"))


@pytest.mark.parametrize("model", [Payment, Invoice, Event])
def test_the_models_written_so_have_no_save_signal_receivers(model):
    # The compiled writes send no pre_save or post_save: a receiver would miss them.
    assert not signals.pre_save.has_listeners(model)
    assert not signals.post_save.has_listeners(model)


def test_deferred_writes_are_what_the_transactions_next_statement_reads():
    """Deferred (MariaDB: sent with the next statement), each is still one
    statement, counted, and read back as written; a row whose id the database
    gives is inserted at once, to be given it."""
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    invoice.amount_paid = Decimal("40.00")
    events = [Event(type="invoice.paid", data={}, customer_id=n) for n in range(2)]
    row = payment(invoice)
    with CaptureQueriesContext(connection) as queries:
        compiled_writes.update(invoice, ("amount_paid", "updated_at"), deferred=True)
        compiled_writes.insert(events, deferred=True)
        compiled_writes.insert([row], deferred=True)
    assert len(queries) == 3 and row.pk is not None
    assert stored(Invoice, invoice.pk, leave_out=())["amount_paid"] == Decimal("40.00")
    assert Event.objects.filter(pk__in=[event.pk for event in events]).count() == 2
    assert Payment.objects.filter(pk=row.pk, invoice=invoice).exists()


def test_a_deferred_update_of_a_row_gone_fails_in_its_transaction():
    invoice = InvoiceFactory()
    Invoice.objects.filter(pk=invoice.pk).delete()
    with pytest.raises(DatabaseError):
        compiled_writes.update(invoice, ("amount_paid", "updated_at"), deferred=True)
        Invoice.objects.count()  # the statement the write goes with, where deferred
