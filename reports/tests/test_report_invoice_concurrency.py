"""Billing one report from many clients at once makes one invoice: the report's
row lock queues them, and all but the first answer the invoice the first made.
In-process threads need MariaDB's row locks (SQLite's test database is one
connection in memory; there a transaction takes the database's write lock as it
begins, which orders them already)."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from billing_site.testing import bearer_client
from events.models import Event
from invoices.models import VIEW_ALL_CUSTOMERS, Invoice, NumberSequence
from invoices.tests.factories import CustomerFactory, UserFactory
from reports.models import BillingReport
from reports.services import report_generate
from reports.tests.factories import make_orders

CLIENTS = 20
PERMS = ["reports.view_billingreport", "invoices.add_invoice", "api.use_reports"]

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "mysql", reason="in-process threads need MariaDB's row locks"
    ),
    pytest.mark.django_db(transaction=True),
]


def _race(calls):
    """Every call in a thread of its own, all released at once; their results in order."""
    barrier = threading.Barrier(len(calls))

    def one(call):
        barrier.wait()
        try:
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def _report(costs):
    customer = CustomerFactory()
    make_orders(customer, count=4, costs=costs)
    return report_generate(
        customer=customer, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )


def test_twenty_clients_billing_one_report_make_one_invoice():
    report = _report({"Picking": 123456789012, "Shipping": 1})
    user = UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS])
    clients = [bearer_client(user) for _ in range(CLIENTS)]
    results = _race(
        [
            lambda client=client: client.post(f"/api/v2/reports/{report.pk}/invoice")
            for client in clients
        ]
    )
    codes = sorted(response.status_code for response in results)
    assert codes == [200] * (CLIENTS - 1) + [201], codes
    assert len({response.json()["id"] for response in results}) == 1
    invoice = Invoice.objects.get()
    assert BillingReport.objects.get(pk=report.pk).invoice_id == invoice.pk
    assert invoice.total == report.total_amount  # 4 x 1,234,567,890.12 + 4 x 0.01, exact
    assert str(invoice.total) == "4938271560.5200"
    assert NumberSequence.objects.get(name="invoice").last_value == 1  # no number burnt
    events = Event.objects.filter(type__startswith="invoice.", data__id=invoice.pk)
    assert sorted(events.values_list("type", flat=True)) == ["invoice.created", "invoice.issued"]


def test_reports_of_one_customer_billed_at_once_each_get_their_own_invoice():
    """Several reports of one customer, each billed by two clients at once, the
    database's first invoices: no deadlock between the reports' locks and the
    invoice numbers' counter (made by the first of them), one invoice each."""
    customer = CustomerFactory()
    reports = []
    for month in range(1, 6):
        start = datetime.date(2023, month, 1)
        make_orders(customer, count=2, start=start, costs={"Picking": 1000 * month})
        end = start.replace(day=28)
        reports.append(report_generate(customer=customer, start_date=start, end_date=end))
    user = UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS])
    pairs = [(bearer_client(user), report.pk) for report in reports for _ in range(2)]
    calls = [
        lambda client=client, pk=pk: client.post(f"/api/v2/reports/{pk}/invoice")
        for client, pk in pairs
    ]
    results = _race(calls)
    assert sorted(response.status_code for response in results) == [200] * 5 + [201] * 5
    assert Invoice.objects.count() == 5
    for report in reports:
        report.refresh_from_db()
        assert report.invoice.total == report.total_amount
    numbers = list(Invoice.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 5
