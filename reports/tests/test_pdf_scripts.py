"""A report PDF downloaded over HTTP prints the names and references of its
customer, services and orders in every script, in embedded fonts."""

import datetime

import pytest

from billing_site.documents.tests.pdfs import (
    ARABIC,
    ARABIC_DRAWN,
    MIXED,
    MIXED_DRAWN,
    SAMPLES,
    drawn_lines,
    embedded_fonts,
    first_page_image,
    glyphless,
    ink,
    needs_fonts,
    needs_poppler,
    pdftotext_lines,
    pypdf_lines,
)
from billing_site.testing import bearer_client
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import CustomerFactory, UserFactory
from reports.models import Order
from reports.services import report_generate
from reports.tests.factories import make_orders
from reports.tests.wire import exact_json

pytestmark = [pytest.mark.django_db, needs_fonts, needs_poppler]

PERMS = ["reports.view_billingreport", "api.use_reports", VIEW_ALL_CUSTOMERS]
DRAWN = {**SAMPLES, MIXED: MIXED_DRAWN}
REFERENCE = "参考-北京"


def test_a_downloaded_report_prints_every_script(settings, tmp_path):
    settings.DEFAULT_CURRENCY = "IQD"  # an Iraqi ISP's customer
    customer = CustomerFactory(name=ARABIC)
    _, orders, _ = make_orders(customer, count=2, costs={name: 12500 for name in DRAWN})
    Order.objects.filter(pk=orders[0].pk).update(reference_number=REFERENCE)
    report = report_generate(
        customer=customer, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )
    client = bearer_client(UserFactory(perms=PERMS))
    detail = exact_json(client.get(f"/api/v2/reports/{report.pk}/download/?format=json"))
    response = client.get(f"/api/v2/reports/{report.pk}/download/?format=pdf")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    pdf = response.content

    drawn = drawn_lines(pdf)
    assert f"Customer: {ARABIC_DRAWN} (id {customer.pk})" in drawn
    for service_id, total in detail["service_totals"].items():
        name = DRAWN[total["service_name"]]
        assert f"{name} (service {service_id}) {total['amount']:f}" in drawn
    for order in detail["orders"]:
        for cost in order["service_costs"]:
            name = DRAWN[cost["service_name"]]
            cells = (order["order_id"], order["reference_number"], order["order_date"])
            assert f"{' '.join(map(str, cells))} {name} {cost['amount']:f}" in drawn
    assert detail["orders"][0]["reference_number"] == REFERENCE
    assert f"Grand total {detail['total_amount']:f} IQD" in drawn

    for lines in (pypdf_lines(pdf), pdftotext_lines(pdf)):
        text = "\n".join(lines)
        for name in [*SAMPLES, REFERENCE, "Order 42", "Café"]:
            assert name in text, (name, lines)
    assert glyphless(pdf) == []
    embedded = embedded_fonts(pdf)
    assert {name.partition("+")[2] for name in embedded} == {
        "DejaVuSans",
        "DejaVuSans-Bold",
        "DroidSansFallback",
    }
    assert all(embedded.values()), embedded
    assert ink(first_page_image(pdf, tmp_path)) > 5000
