"""Numbers taken by many at once from a counter that does not exist yet (a new
database's first invoices and customers): each gets its own, none fails. On
MariaDB a duplicate insert waits for the first one's row under a shared lock:
several such waiters that then lock the row for update deadlock, so the row is
made with an upsert, which waits under an exclusive lock instead."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections

from invoices.models import Customer, Invoice, NumberSequence
from invoices.services import customer_create, invoice_create
from invoices.tests.factories import CustomerFactory

CLIENTS = 8

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "mysql", reason="in-process threads need MariaDB's row locks"
    ),
    pytest.mark.django_db(transaction=True),
]


def _race(call, times: int) -> list:
    barrier = threading.Barrier(times)

    def one(_):
        barrier.wait()
        try:
            return call()
        except Exception as exc:  # the test counts every failure
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(one, range(times)))


def test_the_first_invoices_made_at_once_each_get_a_number():
    customer = CustomerFactory()  # its account number: the "customer" counter's
    assert not NumberSequence.objects.filter(name="invoice").exists()
    results = _race(
        lambda: invoice_create(customer=customer, currency="USD", amount=Decimal("1.00")),
        CLIENTS,
    )
    assert all(isinstance(result, Invoice) for result in results), results
    assert len({invoice.number for invoice in results}) == CLIENTS
    assert NumberSequence.objects.get(name="invoice").last_value == CLIENTS


def test_the_first_customers_made_at_once_each_get_an_account_number():
    NumberSequence.objects.filter(name="customer").delete()
    results = _race(lambda: customer_create(name="Race"), CLIENTS)
    assert all(isinstance(result, Customer) for result in results), results
    assert len({customer.account_number for customer in results}) == CLIENTS
