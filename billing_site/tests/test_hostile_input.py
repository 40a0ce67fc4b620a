"""Out-of-range ids, huge numbers and extreme dates on every face: a 4xx, never a 500."""

import pytest

from billing_site.testing import bearer_client
from invoices.tests.factories import InvoiceFactory, UserFactory

pytestmark = pytest.mark.django_db

BIG = "9" * 30
HUGE = "1e400"
DATES = '"date": "2023-01-01", "due_date": "2023-01-02"'
USAGE = '"resource_id": "r", "service": "s", "cost": 1'
TIMES = '"start_time": "2022-01-01T00:00:00Z", "end_time": "2022-01-01T01:00:00Z"'
ORDER = '"reference_number": "x", "order_date": "2023-01-01"'

REQUESTS = [
    ("get", f"/api/v1/invoices/{BIG}/", None),
    ("get", f"/api/v1/invoices/?customer_id={BIG}", None),
    ("get", f"/api/v1/invoices/?customer_id={HUGE}", None),
    ("get", "/api/v1/invoices/?date_from=0001-01-01&date_to=9999-12-31", None),
    ("get", f"/api/v1/customers/{BIG}/", None),
    ("post", "/api/v1/invoices/", f'{{"customer_id": {BIG}, "amount": 1, {DATES}}}'),
    ("post", "/api/v1/invoices/", f'{{"customer_id": 1, "amount": {HUGE}, {DATES}}}'),
    ("post", "/api/v1/invoices/", f'{{"customer_id": 1, "amount": 1e14, {DATES}}}'),
    (
        "post",
        "/api/v1/invoices/",
        f'{{"customer_id": 1, {DATES}, "line_items": [{{"description": "x", "price": 1, '
        f'"quantity": {HUGE}}}]}}',
    ),
    ("post", f"/api/v1/invoices/{BIG}/payments", '{"amount": 1, "method": "cash"}'),
    ("post", "/api/v1/invoices/{invoice}/payments", f'{{"amount": {HUGE}, "method": "cash"}}'),
    ("get", f"/api/v1/get_invoice_details/{BIG}", None),
    ("get", f"/api/v1/get_all_invoices_from_userid/{BIG}", None),
    ("get", f"/api/v1/get_invoice_receipt/{BIG}/{BIG}", None),
    ("get", "/api/v1/get_all_invoice_ids/0001-01-01/9999-12-31", None),
    ("get", "/api/v1/get_all_invoices/0001-01-01/9999-12-31", None),
    ("get", f"/api/v2/reports/{BIG}/", None),
    ("get", f"/api/v2/reports/{BIG}/download/", None),
    ("get", f"/api/v2/reports/?customer_id={BIG}", None),
    ("get", "/api/v2/reports/?created_after=0001-01-01&created_before=9999-12-31", None),
    ("get", f"/api/v2/reports/customer-summary/?customer_id={BIG}", None),
    (
        "post",
        "/api/v2/reports/generate/",
        f'{{"customer_id": {BIG}, "start_date": "2023-01-01", "end_date": "2023-01-31"}}',
    ),
    (
        "post",
        "/api/v2/reports/generate/",
        '{"customer_id": {customer}, "start_date": "0001-01-01", "end_date": "9999-12-31"}',
    ),
    (
        "post",
        "/api/v2/orders/",
        f'{{"customer_id": {BIG}, {ORDER}, '
        f'"service_costs": [{{"service_id": {BIG}, "amount": 1}}]}}',
    ),
    (
        "post",
        "/api/v2/orders/",
        f'{{"customer_id": 1, {ORDER}, "service_costs": [{{"service_id": 1, "amount": {HUGE}}}]}}',
    ),
    ("get", f"/api/v2/orders/{BIG}/", None),
    ("get", f"/api/v2/services/{BIG}/", None),
    ("post", "/api/v1/usage/", f'{{{USAGE}, {TIMES}, "duration": {BIG}}}'),
    ("post", "/api/v1/usage/", f'{{{USAGE}, {TIMES}, "customer_id": {BIG}}}'),
    ("post", "/api/v1/usage/", f'{{{USAGE}, {TIMES}, "cost": {HUGE}}}'),
    ("post", "/api/v1/usage/report", '{"start_date": "0001-01-01", "end_date": "9999-12-31"}'),
    ("post", "/api/v1/customers/", '{"name": "x\\u0000y"}'),
    (
        "post",
        "/api/v1/invoices/",
        f'{{"customer_id": 1, "amount": 1, {DATES}, "description": "a\\u0000b"}}',
    ),
    ("post", "/checkPaymentStatus", f'{{"orderID": {HUGE}, "billingNumber": {BIG}}}'),
    ("get", "/api/v1/invoices/?page_size=%C2%B2", None),
    ("get", "/api/v2/reports/%C2%B2/", None),
    ("get", "/api/v2/reports/%C2%B2/download/", None),
    ("get", "/api/v2/reports/customer-summary/?customer_id=%C2%B2", None),
    ("get", "/api/v1/get_invoice_details/%C2%B2", None),
    ("patch", "/api/v1/invoices/{invoice}/", "[1]"),
    ("put", "/api/v1/invoices/{invoice}/", '"x"'),
    (
        "post",
        "/api/v1/invoices/",
        f'{{"customer_id": 1, {DATES}, "line_items": [{{"description": "x", '
        '"price": "999999999999999", "quantity": "999999999.999", "tax_rate": "100"}]}',
    ),
    (
        "post",
        "/api/v2/orders/",
        f'{{"customer_id": 1, {ORDER}, "service_costs": [{{"service_id": 1, '
        '"amount": "999999999999999.99"}]}',
    ),
]


@pytest.mark.parametrize("method,url,body", REQUESTS)
def test_never_a_server_error(method, url, body):
    client = bearer_client(UserFactory(is_staff=True, is_superuser=True))
    client.raise_request_exception = False
    invoice = InvoiceFactory()
    url = url.replace("{invoice}", str(invoice.pk))
    if body is None:
        response = getattr(client, method)(url)
    else:
        body = body.replace("{customer}", str(invoice.customer_id))
        response = getattr(client, method)(url, body, content_type="application/json")
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code < 500, response.content[:300]


@pytest.mark.parametrize(
    "method,url,body,field",
    [
        ("post", "/api/v1/customers/", {"name": 0}, "name"),
        ("post", "/api/v1/customers/", {"name": "x", "email": 5}, "email"),
        ("post", "/api/v2/services/", {"name": 12}, "name"),
        ("post", "/api/collections/", {"code": "c", "title": True}, "title"),
        (
            "post",
            "/api/v1/usage/report",
            {"start_date": "2022-01-01", "end_date": "2022-01-02", "filters": {"service": 0}},
            "filters",
        ),
    ],
)
def test_numbers_are_not_strings(method, url, body, field):
    client = bearer_client(UserFactory(is_staff=True, is_superuser=True))
    response = getattr(client, method)(url, body, format="json")
    # The bills face answers an invalid body with a 422, the others with a 400.
    assert response.status_code == (422 if url.startswith("/api/collections") else 400)
    assert field in str(response.json())


def test_an_invoice_too_large_for_the_ledger_is_refused_and_nothing_stays():
    from invoices.models import Customer, Invoice

    client = bearer_client(UserFactory(is_staff=True, is_superuser=True))
    customer = Customer.objects.create(name="Big", account_number="BIG-1")
    line = {"description": "x", "price": "999999999999999", "quantity": "1000"}
    response = client.post(
        "/api/v1/invoices/",
        {
            "customer_id": customer.pk,
            "date": "2023-01-01",
            "due_date": "2023-01-02",
            "line_items": [line],
        },
        format="json",
    )
    assert response.status_code == 400
    assert not Invoice.objects.exists()
    assert client.get("/api/v1/invoices/").status_code == 200


def test_only_connection_trouble_is_a_503():
    from django.db import InterfaceError, OperationalError

    from billing_site.api.middleware import is_connection_failure

    assert is_connection_failure(OperationalError(2006, "MySQL server has gone away"))
    assert is_connection_failure(OperationalError(4151, "Access denied, this account is locked"))
    assert is_connection_failure(OperationalError(1927, "Connection was killed"))
    assert is_connection_failure(OperationalError("database is locked"))
    assert is_connection_failure(InterfaceError("connection already closed"))
    assert not is_connection_failure(OperationalError(1264, "Out of range value"))
    assert not is_connection_failure(OperationalError("integer overflow"))
    assert not is_connection_failure(ValueError("x"))


@pytest.mark.parametrize(
    "charset,status",
    [("hex", 400), ("base64", 400), ("quopri", 400), ("no-such-charset", 401)],  # unknown: UTF-8
)
def test_a_charset_that_is_not_a_text_encoding_is_a_400(api_client, charset, status):
    response = api_client.post(
        "/login",
        b'{"username": "a", "password": "b"}',
        content_type=f"application/json; charset={charset}",
    )
    assert response.status_code == status, response.content
