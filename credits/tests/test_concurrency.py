"""Credit notes and customer credit under concurrent clients, on MariaDB: the
numbers stay gap-free and sequential, an invoice is never credited beyond its
total, and two invoices issued at once never use the same credit twice.
In-process threads share MariaDB's row locks (SQLite's in-memory test database
has one connection at a time, so these run on MariaDB only)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections

from billing_site.errors import BillingError
from billing_site.testing import bearer_client
from credits.models import CreditNote, CustomerCreditEntry
from credits.selectors import customer_credit_balances
from credits.services import credit_note_issue
from events.models import Event
from invoices.models import Invoice, NumberSequence
from invoices.services import invoice_issue
from invoices.tests.factories import CustomerFactory, InvoiceFactory, UserFactory
from payments.services import invoice_settle

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "mysql", reason="in-process threads need MariaDB's row locks"
    ),
    pytest.mark.django_db(transaction=True),
]

D = Decimal
CLIENTS = 10


def _race(calls):
    """Every call in a thread of its own, all released at once; their outcomes
    (a result or the ``BillingError`` raised) in order."""
    barrier = threading.Barrier(len(calls))

    def one(call):
        barrier.wait()
        try:
            return call()
        except BillingError as exc:
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def _numbers():
    return sorted(CreditNote.objects.values_list("number", flat=True))


@pytest.fixture(autouse=True)
def sequence():
    """The sequence's row as migrations leave it (a transactional test empties
    every table after it)."""
    NumberSequence.objects.get_or_create(name="credit_note")


def test_ten_clients_get_ten_sequential_numbers():
    staff = UserFactory(is_staff=True, is_superuser=True)
    invoices = InvoiceFactory.create_batch(CLIENTS)
    clients = [bearer_client(staff) for _ in range(CLIENTS)]
    results = _race(
        [
            lambda client=client, pk=invoice.pk: (
                client.post(
                    "/api/v1/credit-notes/", {"invoice_id": pk, "amount": "10.00"}, format="json"
                ).status_code
            )
            for client, invoice in zip(clients, invoices, strict=True)
        ]
    )
    assert results == [201] * CLIENTS
    assert _numbers() == [f"CN-{n:06d}" for n in range(1, CLIENTS + 1)]
    assert Event.objects.filter(type="credit_note.issued").count() == CLIENTS


def test_one_invoice_credited_by_ten_clients_at_once_never_beyond_its_total():
    invoice = InvoiceFactory(amount=D("100.00"))
    outcomes = _race(
        [
            lambda: credit_note_issue(invoice_id=invoice.pk, amount=D("30.00"))
            for _ in range(CLIENTS)
        ]
    )
    issued = [outcome for outcome in outcomes if isinstance(outcome, CreditNote)]
    assert len(issued) == 3
    assert all("exceeds" in str(outcome) for outcome in outcomes if outcome not in issued)
    # Refused notes took no number: the three issued are 1, 2, 3.
    assert _numbers() == ["CN-000001", "CN-000002", "CN-000003"]
    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.amount_credited, stored.balance, stored.status) == (
        D("90.00"),
        D("10.00"),
        "open",
    )


def test_a_note_racing_a_payment_leaves_a_sound_ledger():
    for _ in range(4):
        invoice = InvoiceFactory(amount=D("100.00"))
        _race(
            [
                lambda pk=invoice.pk: credit_note_issue(
                    invoice_id=pk, amount=D("40.00"), mode="reduce_invoice"
                ),
                lambda pk=invoice.pk: invoice_settle(invoice_id=pk, method="cash"),
            ]
        )
        stored = Invoice.objects.get(pk=invoice.pk)
        assert stored.amount_paid + stored.amount_credited == stored.total
        assert stored.status == "paid"


def test_invoices_issued_at_once_never_use_the_same_credit_twice():
    for _ in range(3):
        customer = CustomerFactory()
        paid = InvoiceFactory(customer=customer, amount=D("100.00"))
        invoice_settle(invoice_id=paid.pk, method="cash")
        credit_note_issue(invoice_id=paid.pk, amount=D("60.00"), mode="customer_credit")
        drafts = [
            InvoiceFactory(customer=customer, amount=D("50.00"), issue=False) for _ in range(4)
        ]
        _race([lambda draft=draft: invoice_issue(invoice=draft) for draft in drafts])
        issued = Invoice.objects.filter(pk__in=[draft.pk for draft in drafts])
        credited = sorted(invoice.amount_credited for invoice in issued)
        assert credited == [0, 0, D("10.00"), D("50.00")]
        assert sum(credited) == D("60.00")
        assert sorted(invoice.status for invoice in issued) == ["open", "open", "open", "paid"]
        used = CustomerCreditEntry.objects.filter(customer=customer, amount__lt=0)
        assert sorted(entry.amount for entry in used) == [D("-50.00"), D("-10.00")]
        assert customer_credit_balances(customer_id=customer.pk) == {}
