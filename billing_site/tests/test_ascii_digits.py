"""Ids, dates, numbers and amounts take ASCII digits only, on every face:
Python's int(), Decimal() and ``\\d`` take any script's digits, so "\\u0661" (an
Arabic-Indic one) would otherwise name invoice 1. A path id written so is a 404
(the ISP face's path ids, whose malformed values are 400s, a 400); a query
parameter or a body field a 400 in the face's shape."""

from io import StringIO

import pytest
from django.core.management import call_command

from billing_site.testing import bearer_client
from invoices.models import Customer, Invoice
from invoices.tests.factories import UserFactory
from reports.models import BillingReport, Order, Service

pytestmark = pytest.mark.django_db

_ARABIC = str.maketrans(
    "0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
)
_FULLWIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + digit) for digit in range(10)))


def arabic(value) -> str:
    return str(value).translate(_ARABIC)


@pytest.fixture
def staff():
    call_command("seed_demo", stdout=StringIO())
    return bearer_client(UserFactory(is_staff=True, is_superuser=True))


def test_ids_in_paths_are_ascii(staff):
    invoice = Invoice.objects.order_by("pk").first()
    report, order = BillingReport.objects.first(), Order.objects.first()
    service, customer = Service.objects.first(), Customer.objects.first()
    paths = [
        "/api/v1/invoices/{}/",
        "/api/v1/invoices/{}/payments",
        "/api/v1/customers/{}/",
        "/api/v2/reports/{}/",
        "/api/v2/orders/{}/",
        "/api/v2/services/{}/",
    ]
    ids = [invoice.pk, invoice.pk, customer.pk, report.pk, order.pk, service.pk]
    for path, pk in zip(paths, ids, strict=True):
        assert staff.get(path.format(pk)).status_code == 200, path  # the id itself is found
        for table in (_ARABIC, _FULLWIDTH):
            response = staff.get(path.format(str(pk).translate(table)))
            assert response.status_code == 404, (path, response.content)
    for path in (
        f"/api/v1/get_invoice_details/{arabic(invoice.pk)}",
        f"/api/v1/get_all_invoices_from_userid/{arabic(invoice.customer_id)}",
        f"/api/v1/get_invoice_receipt/{arabic(invoice.customer_id)}/{invoice.pk}",
    ):
        response = staff.get(path)
        assert response.status_code == 400, path
        assert response.json()["status"] == "error"


@pytest.mark.parametrize(
    "path,keys",
    [
        ("/api/v1/invoices/?customer_id={id}", {"customer_id"}),
        ("/api/v1/invoices/?date_from={date}", {"date_from"}),
        ("/api/v1/invoices/?due_before={date}", {"due_before"}),
        ("/api/v1/invoices/?page={one}", None),
        ("/api/v2/reports/?customer_id={id}", {"error"}),
        ("/api/v2/reports/?start_date={date}", {"error"}),
        ("/api/v2/reports/?created_after={date}", {"error"}),
        ("/api/v2/reports/customer-summary/?customer_id={id}", {"error"}),
        ("/api/v2/orders/?customer_id={id}", {"error"}),
        ("/api/v2/orders/?date_from={date}", {"error"}),
        ("/api/collections/demo/bills?due_from={date}", {"message", "errors"}),
        ("/api/collections/demo/bills?per_page={one}", {"message", "errors"}),
        ("/api/v1/get_all_invoice_ids/{date}/2030-12-31", {"status", "errorCode", "message"}),
        ("/api/v1/get_all_invoices/2020-01-01/{date}", {"status", "errorCode", "message"}),
    ],
)
def test_ids_and_dates_in_query_parameters_are_ascii(staff, path, keys):
    customer = Customer.objects.order_by("pk").first()
    url = path.format(id=arabic(customer.pk), date=arabic("2026-01-01"), one=arabic(1))
    response = staff.get(url)
    assert response.status_code == 400, (url, response.content)
    if keys:
        assert keys <= set(response.json()), response.json()


def _invoice_body(customer, **changes):
    return {
        "customer_id": customer.pk,
        "amount": "100.00",
        "date": "2026-03-01",
        "due_date": "2026-03-31",
        **changes,
    }


def test_numbers_and_dates_in_bodies_are_ascii(staff):
    customer = Customer.objects.order_by("pk").first()
    service = Service.objects.first()
    invoice = Invoice.objects.filter(status="open", currency="USD").first()
    line = {"description": "x", "quantity": "2", "price": "1.00", "tax_rate": "10"}
    usage = {
        "resource_id": "i-1",
        "service": "EC2",
        "start_time": "2022-01-01T00:00:00Z",
        "end_time": "2022-01-01T01:00:00Z",
        "cost": "0.50",
    }
    order = {
        "customer_id": customer.pk,
        "reference_number": "REF-ASCII",
        "order_date": "2023-01-15",
        "service_costs": [{"service_id": service.pk, "amount": "5.00"}],
    }
    bill = {
        "due": "2020-06-25",
        "ref1": "a",
        "ref2": "b",
        "currency": "MYR",
        "customer": {"acc_no": "911111111111"},
        "product": [{"title": "p", "price": "10.00", "quantity": 1}],
    }
    cases = [
        ("/api/v1/invoices/", _invoice_body(customer), "customer_id", arabic(customer.pk)),
        ("/api/v1/invoices/", _invoice_body(customer), "amount", arabic("100.00")),
        ("/api/v1/invoices/", _invoice_body(customer), "date", arabic("2026-03-01")),
        ("/api/v1/invoices/", _invoice_body(customer), "period_from", arabic("2026-03-01")),
        (
            "/api/v1/invoices/",
            _invoice_body(customer, amount=None, line_items=[{**line, "quantity": arabic(2)}]),
            "",
            None,
        ),
        (
            "/api/v1/invoices/",
            _invoice_body(customer, amount=None, line_items=[{**line, "tax_rate": arabic(10)}]),
            "",
            None,
        ),
        (f"/api/v1/invoices/{invoice.pk}/payments", {"method": "cash"}, "amount", arabic("1.00")),
        (
            f"/api/v1/invoices/{invoice.pk}/payments",
            {"amount": "1.00", "method": "card", "card": {"exp_month": arabic(12)}},
            "",
            None,
        ),
        (
            f"/api/v1/invoices/{invoice.pk}/payments",
            {"amount": "1.00", "method": "card", "card": {"last4": arabic(4242)}},
            "",
            None,
        ),
        (
            f"/api/v1/invoices/{invoice.pk}/payments",
            {"amount": "1.00", "method": "cash"},
            "paid_at",
            arabic("2026-01-01T00:00:00Z"),
        ),
        ("/api/v2/orders/", order, "customer_id", arabic(customer.pk)),
        ("/api/v2/orders/", order, "order_date", arabic("2023-01-15")),
        (
            "/api/v2/orders/",
            {**order, "service_costs": [{"service_id": arabic(service.pk), "amount": "5"}]},
            "",
            None,
        ),
        (
            "/api/v2/orders/",
            {**order, "service_costs": [{"service_id": service.pk, "amount": arabic(5)}]},
            "",
            None,
        ),
        (
            "/api/v2/reports/generate/",
            {"customer_id": customer.pk, "end_date": "2023-01-31"},
            "start_date",
            arabic("2023-01-01"),
        ),
        ("/api/v1/usage/", usage, "duration", arabic(3600)),
        ("/api/v1/usage/", usage, "start_time", arabic("2022-01-01T00:00:00Z")),
        ("/api/v1/usage/", usage, "cost", arabic("0.50")),
        ("/api/v1/usage/report", {"end_date": "2022-01-31"}, "start_date", arabic("2022-01-01")),
        ("/api/collections/demo/bills", bill, "due", arabic("2020-06-25")),
        (
            "/api/collections/demo/bills",
            {**bill, "product": [{"title": "p", "price": arabic(10), "quantity": 1}]},
            "",
            None,
        ),
        (
            "/api/collections/demo/bills",
            {**bill, "product": [{"title": "p", "price": "10", "quantity": arabic(1)}]},
            "",
            None,
        ),
        ("/checkPaymentStatus", {"billingNumber": 333333}, "orderID", arabic(4499494)),
        ("/updatePaymentStatus", {"orderID": 4499494}, "billingNumber", arabic(333333)),
    ]
    invoices, orders = Invoice.objects.count(), Order.objects.count()
    for path, body, field, value in cases:
        if field:
            body = {**body, field: value}
        body = {key: value for key, value in body.items() if value is not None}
        response = staff.post(path, body, format="json")
        expected = 422 if path.startswith("/api/collections") else 400
        assert response.status_code == expected, (path, field, response.content)
    assert (Invoice.objects.count(), Order.objects.count()) == (invoices, orders)
    assert Invoice.objects.get(number="333333").status == "open"
