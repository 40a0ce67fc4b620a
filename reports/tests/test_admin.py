import datetime
import io

import pytest
from pypdf import PdfReader

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
    assert csv.content.decode().startswith("order_id,service_id,service_name,amount")
    pdf = admin_client.get(f"/admin/reports/billingreport/{report.pk}/download/pdf/")
    assert "Grand total 30.00 USD" in " ".join(
        PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split()
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
