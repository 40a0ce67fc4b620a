"""Many clients settling one invoice at once: exactly one payment, never a 500."""

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import OperationalError, connection, connections, transaction

from billing_site.testing import bearer_client, demo_server, http_call
from invoices.models import Customer, Invoice
from invoices.tests.factories import InvoiceFactory
from payments.gateway.selectors import locked_billing_record
from payments.models import Payment

CLIENTS = 50


def _settle_concurrently(send):
    """Run ``send()`` from CLIENTS threads released together; return (status, body) pairs."""
    barrier = threading.Barrier(CLIENTS)

    def one(_):
        barrier.wait()
        try:
            return send()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        return list(pool.map(one, range(CLIENTS)))


def _assert_exactly_one_winner(results):
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [400] * (CLIENTS - 1), statuses
    losers = [body for status, body in results if status == 400]
    assert all(
        body == {"success": "false", "message": "payment is already paid"} for body in losers
    )


@pytest.mark.skipif(
    connection.vendor != "mysql",
    reason="row locks are MariaDB's; SQLite is covered by the multi-process server test below",
)
@pytest.mark.django_db(transaction=True)
def test_fifty_threads_settle_one_invoice_once_on_mariadb(gateway_user):
    invoice = InvoiceFactory()
    payload = {"orderID": invoice.order_id, "billingNumber": invoice.number}

    def send():
        response = bearer_client(gateway_user).post("/updatePaymentStatus", payload, format="json")
        return response.status_code, response.json()

    _assert_exactly_one_winner(_settle_concurrently(send))
    assert Payment.objects.filter(invoice=invoice).count() == 1
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == (Invoice.Status.PAID, invoice.total)


@pytest.mark.server
def test_fifty_clients_settle_one_invoice_once_on_sqlite_under_gunicorn(tmp_path):
    with demo_server(tmp_path, workers=4) as (base, token):
        payload = {"orderID": 4499494, "billingNumber": 333333}
        results = _settle_concurrently(
            lambda: http_call(f"{base}/updatePaymentStatus", payload, token)
        )
    _assert_exactly_one_winner(results)
    with sqlite3.connect(tmp_path / "billing.sqlite3") as db:
        payments = db.execute(
            "SELECT COUNT(*) FROM payments_payment p JOIN invoices_invoice i ON i.id = p.invoice_id"
            " WHERE i.number = '333333'"
        ).fetchone()[0]
        status = db.execute(
            "SELECT status FROM invoices_invoice WHERE number = '333333'"
        ).fetchone()
        logged = db.execute(
            "SELECT status_code, COUNT(*) FROM logs WHERE endpoint = '/updatePaymentStatus'"
            " GROUP BY status_code ORDER BY status_code"
        ).fetchall()
    assert payments == 1
    assert status == ("paid",)
    assert logged == [(200, 1), (400, CLIENTS - 1)]


@pytest.mark.skipif(connection.vendor != "mysql", reason="row locks are MariaDB's")
@pytest.mark.django_db(transaction=True)
def test_an_update_locks_the_records_invoice_and_not_its_customer():
    # Other payments of the customer's invoices must not queue behind this one.
    invoice = InvoiceFactory()
    held, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                record = locked_billing_record(order_id=invoice.order_id, number=invoice.number)
                assert record.customer_name == invoice.customer.name
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        with transaction.atomic():
            Customer.objects.select_for_update(nowait=True).get(pk=invoice.customer_id)
        with pytest.raises(OperationalError), transaction.atomic():
            Invoice.objects.select_for_update(nowait=True).get(pk=invoice.pk)
    finally:
        release.set()
        holder.join()
