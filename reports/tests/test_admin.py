import datetime
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from invoices.tests.factories import CustomerFactory
from reports.models import OrderServiceCost, Service, UsageRecord
from reports.services import report_generate
from reports.tests.factories import make_orders

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    customer, _, _ = make_orders(count=2)
    return report_generate(
        customer=customer, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )


def test_report_pages_and_downloads(admin_client, report):
    listing = admin_client.get("/admin/reports/billingreport/")
    assert listing.status_code == 200
    assert b"/download/pdf/" in listing.content
    page = admin_client.get(f"/admin/reports/billingreport/{report.pk}/change/")
    assert page.status_code == 200
    assert b"4 lines" in page.content
    assert b'name="_save"' not in page.content
    lines = admin_client.get(f"/admin/reports/billingreportline/?report__id__exact={report.pk}")
    assert lines.status_code == 200
    assert b"Picking" in lines.content
    csv = admin_client.get(f"/admin/reports/billingreport/{report.pk}/download/csv/")
    assert csv["Content-Disposition"] == f'attachment; filename="billing_report_{report.pk}.csv"'
    assert csv.getvalue().decode("utf-8-sig").startswith("order_id,service_id,service_name,amount")
    pdf = admin_client.get(f"/admin/reports/billingreport/{report.pk}/download/pdf/")
    assert "Grand total 30.00 USD" in " ".join(
        PdfReader(io.BytesIO(pdf.getvalue())).pages[0].extract_text().split()
    )
    assert (
        admin_client.get(f"/admin/reports/billingreport/{report.pk}/download/xls/").status_code
        == 404
    )
    assert admin_client.get("/admin/reports/billingreport/add/").status_code == 403


def test_data_in_pages(admin_client, report):
    for url in (
        "/admin/reports/service/",
        "/admin/reports/order/",
        "/admin/reports/order/add/",
        "/admin/reports/usagerecord/",
        f"/admin/reports/order/{report.lines.first().order_id}/change/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_a_report_is_titled_with_its_customer_and_shows_units(admin_client, report):
    name = report.customer.name
    page = admin_client.get(f"/admin/reports/billingreport/{report.pk}/change/").content.decode()
    assert f"<h2>Report {report.pk} \u2014 {name} (2023-01-01 to 2023-01-31)</h2>" in page
    assert '<div class="readonly">30.00</div>' in page  # 3000 cents
    assert "<td>Picking</td><td" in page and ">10.00 USD</td>" in page
    assert ">3000<" not in page and "Total minor" not in page and 'name="_save"' not in page
    listing = admin_client.get("/admin/reports/billingreport/").content.decode()
    assert '<td class="field-report_total">30.00</td>' in listing
    lines = admin_client.get(f"/admin/reports/billingreportline/?report__id__exact={report.pk}")
    assert '<td class="field-line_amount">5.00 USD</td>' in lines.content.decode()
    assert admin_client.get(f"/admin/reports/billingreport/{report.pk}/delete/").status_code == 403


def test_a_report_in_a_currency_of_other_places_shows_them(admin_client, settings):
    settings.DEFAULT_CURRENCY = "IQD"
    customer, _, _ = make_orders(count=1, costs={"Picking": 1234567})
    report = report_generate(
        customer=customer, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 2)
    )
    page = admin_client.get(f"/admin/reports/billingreport/{report.pk}/change/").content.decode()
    assert '<div class="readonly">1,234.567</div>' in page


def test_the_admins_csv_starts_with_a_byte_order_mark(admin_client, report):
    response = admin_client.get(f"/admin/reports/billingreport/{report.pk}/download/csv/")
    csv = response.getvalue()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv.startswith(b"\xef\xbb\xbforder_id,service_id,service_name,amount\r\n")
    assert csv.count(b"\xef\xbb\xbf") == 1


def _order_form(customer, **costs) -> dict:
    """The add-order form with one row per ``{service: amount typed}``."""
    data = {
        "customer": customer.pk,
        "reference_number": "ADMIN-1",
        "order_date": "2026-11-02",
        "service_costs-TOTAL_FORMS": len(costs),
        "service_costs-INITIAL_FORMS": 0,
    }
    for index, (service, amount) in enumerate(costs.items()):
        data[f"service_costs-{index}-service"] = Service.objects.get_or_create(name=service)[0].pk
        data[f"service_costs-{index}-amount"] = amount
    return data


def test_an_order_is_entered_in_units_and_stored_in_minor_units(admin_client):
    customer = CustomerFactory()
    form = _order_form(customer, Picking="12.50", Shipping="1,000", Packing="0.07")
    refused = admin_client.post("/admin/reports/order/add/", form)
    assert refused.status_code == 200 and not OrderServiceCost.objects.exists()
    assert "Amount must be a decimal number." in refused.content.decode()
    form["service_costs-1-amount"] = "1000"
    response = admin_client.post("/admin/reports/order/add/", form)
    assert response.status_code == 302
    stored = dict(OrderServiceCost.objects.values_list("service__name", "amount_minor"))
    assert stored == {"Picking": 1250, "Shipping": 100000, "Packing": 7}
    order = OrderServiceCost.objects.first().order
    page = admin_client.get(f"/admin/reports/order/{order.pk}/change/").content.decode()
    assert sorted(re.findall(r'name="service_costs-\d-amount" value="([^"]+)"', page)) == [
        "0.07",
        "1000.00",
        "12.50",
    ]
    listing = admin_client.get("/admin/reports/order/").content.decode()
    assert '<td class="field-order_total">1,012.57</td>' in listing


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("12.505", "Amount has more decimal places than USD allows (2)."),
        ("-1", "Amount must not be negative."),
        ("1000000000", "Must be below 1,000,000,000."),
    ],
)
def test_an_order_amount_is_checked_as_the_api_checks_it(admin_client, amount, error):
    response = admin_client.post(
        "/admin/reports/order/add/", _order_form(CustomerFactory(), Picking=amount)
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not OrderServiceCost.objects.exists()


def test_usage_costs_show_every_fraction_of_a_cent(admin_client):
    customer = CustomerFactory()
    start = timezone.now()
    records = [
        UsageRecord.objects.create(
            customer=customer,
            resource_id=f"vm-{index}",
            service="compute",
            start_time=start,
            end_time=start,
            duration=60,
            cost=Decimal(cost),
        )
        for index, cost in enumerate(("0.000125", "0.5"))
    ]
    listing = admin_client.get("/admin/reports/usagerecord/").content.decode()
    assert '<td class="field-usage_cost">0.000125</td>' in listing
    assert '<td class="field-usage_cost">0.50</td>' in listing
    page = admin_client.get(f"/admin/reports/usagerecord/{records[1].pk}/change/").content.decode()
    assert '<div class="readonly">0.50</div>' in page and 'name="_save"' not in page
