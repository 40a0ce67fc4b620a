"""The invoices admin shows how long an invoice is overdue and the reminders
sent of it: a column each on the list, the reminders read-only on its page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoices.models import billing_today
from invoices.reminders import overdue_reminders_send
from invoices.tests.factories import InvoiceFactory
from payments.services import payment_record

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def stages(settings):
    settings.INVOICE_REMINDER_DAYS = [3, 7, 14]


def late(days: int, **kwargs):
    today = billing_today()
    return InvoiceFactory(issue_date=today - 40 * DAY, due_date=today - days * DAY, **kwargs)


def test_the_list_shows_the_days_overdue_and_the_reminders_sent(admin_client):
    today = billing_today()
    ten = late(10, number="LATE-10")
    overdue_reminders_send(today=today - 5 * DAY)  # stage 3, five days ago
    overdue_reminders_send(today=today)  # stage 7
    late(1, number="LATE-1")
    paid = late(20, number="PAID-20")
    payment_record(invoice_id=paid.pk, amount=paid.total, method="cash")
    html = admin_client.get("/admin/invoices/invoice/").content.decode()
    row = html[html.index(">LATE-10<") :].split("</tr>")[0]
    assert '<td class="field-overdue">10 days</td>' in row
    assert '<td class="field-reminders_sent">3, 7</td>' in row
    row = html[html.index(">LATE-1<") :].split("</tr>")[0]
    assert '<td class="field-overdue">1 day</td>' in row
    assert '<td class="field-reminders_sent">-</td>' in row
    row = html[html.index(">PAID-20<") :].split("</tr>")[0]
    assert '<td class="field-overdue">-</td>' in row
    page = admin_client.get(f"/admin/invoices/invoice/{ten.pk}/change/").content.decode()
    assert "Reminders sent (overdue)" in page and "10 days" in page
    assert page.count("invoice.overdue evt_") == 2


def test_the_list_costs_the_same_queries_for_1_or_12(admin_client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get("/admin/invoices/invoice/").status_code == 200
        return len(captured)

    late(9)
    overdue_reminders_send(today=billing_today())
    admin_client.get("/admin/invoices/invoice/")
    one = queries()
    for _ in range(11):
        late(9)
    overdue_reminders_send(today=billing_today())
    assert queries() == one
