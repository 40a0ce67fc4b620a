"""Concurrent changes of one invoice: exactly one wins and the ledger stays sound.
In-process threads share MariaDB's row locks; SQLite's test database lives in
memory, one connection at a time, so there the same races run from threads
against a multi-process server on a SQLite file."""

import json
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections

from billing_site.errors import BillingError
from billing_site.testing import bearer_client, demo_server, http_call
from invoices.models import Invoice, InvoiceRevision
from invoices.services import invoice_revise
from invoices.tests.factories import InvoiceFactory, UserFactory
from payments.models import Payment
from payments.services import invoice_settle

ROUNDS = 4  # invoices raced at once
ISSUERS = 6  # clients issuing one draft at once

on_mariadb = pytest.mark.skipif(
    connection.vendor != "mysql",
    reason="in-process threads need MariaDB's row locks; SQLite: the server test below",
)


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


def _assert_void_or_payment_won(number, voided, paid, stored):
    """One of a void and a payment of the whole balance, sent together, won;
    ``stored`` is (status, amount_paid, total, payment amounts, paid_at, voided_at)."""
    (void_code, void_body), (pay_code, pay_body) = voided, paid
    status, amount_paid, total, payments, paid_at, voided_at = stored
    assert [void_code, pay_code].count(200) == 1, (number, voided, paid)
    if void_code == 200:
        # Refused under the lock, or already no billing record when looked up.
        assert pay_code in (400, 404), paid
        if pay_code == 400:
            message = f"Invoice {number} is void and cannot be paid."
            assert pay_body == {"success": "false", "message": message}
        assert (status, amount_paid, payments) == ("void", 0, [])
        assert voided_at is not None and paid_at is None
    else:
        assert void_code == 409, voided
        assert f"Invoice {number} is paid and cannot be voided." in json.dumps(void_body)
        assert (status, amount_paid, payments) == ("paid", total, [total])
        assert paid_at is not None and voided_at is None


def _assert_issued_once(number, results, status, issued_at):
    codes = sorted(code for code, _ in results)
    assert codes == [200] + [409] * (len(results) - 1), codes
    refusal = f"Only a draft invoice can be issued; invoice {number} is open."
    assert all(refusal in json.dumps(body) for code, body in results if code == 409)
    assert status == "open" and issued_at is not None


def _answer(response):
    return response.status_code, response.json()


@on_mariadb
@pytest.mark.django_db(transaction=True)
def test_voids_and_payments_sent_together_one_wins_on_mariadb():
    staff = UserFactory(is_staff=True, is_superuser=True)
    invoices = [InvoiceFactory() for _ in range(ROUNDS)]
    calls = []
    for invoice in invoices:
        voider, payer = bearer_client(staff), bearer_client(staff)
        key = {"orderID": invoice.order_id, "billingNumber": invoice.number}
        calls += [
            lambda client=voider, pk=invoice.pk: _answer(
                client.post(f"/api/v1/invoices/{pk}/void")
            ),
            lambda client=payer, key=key: _answer(
                client.post("/updatePaymentStatus", key, format="json")
            ),
        ]
    results = _race(calls)
    for index, invoice in enumerate(invoices):
        stored = Invoice.objects.get(pk=invoice.pk)
        payments = list(Payment.objects.filter(invoice=invoice).values_list("amount", flat=True))
        _assert_void_or_payment_won(
            invoice.number,
            results[2 * index],
            results[2 * index + 1],
            (
                stored.status,
                stored.amount_paid,
                stored.total,
                payments,
                stored.paid_at,
                stored.voided_at,
            ),
        )


@on_mariadb
@pytest.mark.django_db(transaction=True)
def test_a_draft_issued_by_several_clients_at_once_is_issued_once_on_mariadb():
    staff = UserFactory(is_staff=True, is_superuser=True)
    draft = InvoiceFactory(issue=False)
    clients = [bearer_client(staff) for _ in range(ISSUERS)]
    results = _race(
        [
            lambda client=client: _answer(client.post(f"/api/v1/invoices/{draft.pk}/issue"))
            for client in clients
        ]
    )
    stored = Invoice.objects.get(pk=draft.pk)
    _assert_issued_once(draft.number, results, stored.status, stored.issued_at)
    assert stored.customer_snapshot["id"] == draft.customer_id


def _outcome(call):
    try:
        return call()
    except BillingError as exc:
        return exc


@on_mariadb
@pytest.mark.django_db(transaction=True)
def test_a_change_and_a_payment_at_once_never_leave_a_balance_on_mariadb():
    invoices = [InvoiceFactory(amount=Decimal("100.00")) for _ in range(ROUNDS)]
    calls = []
    for invoice in invoices:
        calls += [
            lambda invoice=invoice: _outcome(
                lambda: invoice_revise(invoice=invoice, amount=Decimal("80.00"))
            ),
            lambda invoice=invoice: _outcome(
                lambda: invoice_settle(invoice_id=invoice.pk, method="cash")
            ),
        ]
    results = _race(calls)
    for index, invoice in enumerate(invoices):
        revised, settled = results[2 * index], results[2 * index + 1]
        assert isinstance(settled, Invoice), settled  # the payment always goes through
        stored = Invoice.objects.get(pk=invoice.pk)
        payments = list(Payment.objects.filter(invoice=invoice).values_list("amount", flat=True))
        if isinstance(revised, Invoice):  # changed first: the payment paid the new total
            expected, revisions = Decimal("80.00"), 1
        else:  # paid first: the change was refused
            assert "Only an open invoice without payments can be changed" in revised.message
            expected, revisions = Decimal("100.00"), 0
        assert (stored.status, stored.total, stored.amount_paid, payments) == (
            "paid",
            expected,
            expected,
            [expected],
        )
        assert InvoiceRevision.objects.filter(invoice=invoice).count() == revisions


OPEN_DEMO_INVOICES = [("333333", "4499494"), ("INV-1001", "ORD-1001"), ("INV-2001", "ORD-2001")]


@pytest.mark.server
def test_voids_payments_and_issues_sent_together_under_gunicorn_on_sqlite(tmp_path):
    database = tmp_path / "billing.sqlite3"
    with demo_server(tmp_path, workers=4) as (base, token):
        with sqlite3.connect(database) as db:
            customer = db.execute(
                "SELECT id FROM invoices_customer WHERE account_number = '10001'"
            ).fetchone()[0]
        draft = {
            "customer_id": customer,
            "number": "RACE-DRAFT",
            "amount": "10.00",
            "date": "2026-01-15",
            "due_date": "2026-02-14",
            "status": "draft",
        }
        assert http_call(f"{base}/api/v1/invoices/", draft, token)[0] == 201
        with sqlite3.connect(database) as db:
            ids = dict(db.execute("SELECT number, id FROM invoices_invoice").fetchall())
        calls = []
        for number, order_id in OPEN_DEMO_INVOICES:
            key = {"orderID": order_id, "billingNumber": number}
            calls += [
                lambda pk=ids[number]: http_call(f"{base}/api/v1/invoices/{pk}/void", {}, token),
                lambda key=key: http_call(f"{base}/updatePaymentStatus", key, token),
            ]
        issue = f"{base}/api/v1/invoices/{ids['RACE-DRAFT']}/issue"
        calls += [lambda: http_call(issue, {}, token)] * ISSUERS
        results = _race(calls)
    with sqlite3.connect(database) as db:
        for index, (number, _) in enumerate(OPEN_DEMO_INVOICES):
            status, amount_paid, total, paid_at, voided_at = db.execute(
                "SELECT status, CAST(amount_paid AS TEXT), CAST(total AS TEXT), paid_at,"
                " voided_at FROM invoices_invoice WHERE number = ?",
                (number,),
            ).fetchone()
            payments = [
                Decimal(amount)
                for (amount,) in db.execute(
                    "SELECT CAST(amount AS TEXT) FROM payments_payment WHERE invoice_id = ?",
                    (ids[number],),
                )
            ]
            _assert_void_or_payment_won(
                number,
                results[2 * index],
                results[2 * index + 1],
                (status, Decimal(amount_paid), Decimal(total), payments, paid_at, voided_at),
            )
        status, issued_at = db.execute(
            "SELECT status, issued_at FROM invoices_invoice WHERE number = 'RACE-DRAFT'"
        ).fetchone()
    _assert_issued_once("RACE-DRAFT", results[2 * len(OPEN_DEMO_INVOICES) :], status, issued_at)
