"""The report CSV for spreadsheets: the document's four columns by default,
``?columns=extended`` for more, ``?bom=1`` for Excel."""

import csv
import datetime
import io

import pytest
import yaml

from billing_site.testing import bearer_client
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import CustomerFactory, UserFactory
from reports.api.documents import report_detail, report_document
from reports.api.renderers import ReportCSVRenderer
from reports.models import Order
from reports.services import report_generate
from reports.tests.factories import make_orders
from reports.tests.wire import content, exact_json

pytestmark = pytest.mark.django_db

PERMS = ["reports.view_billingreport", "reports.add_billingreport", "api.use_reports"]
DOCUMENT_HEADER = ["order_id", "service_id", "service_name", "amount"]
EXTENDED_HEADER = [*DOCUMENT_HEADER, "reference_number", "order_date", "currency", "customer_name"]


@pytest.fixture
def client():
    return bearer_client(UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS]))


@pytest.fixture
def report():
    customer = CustomerFactory(name="Café Olé")
    make_orders(customer, count=2, costs={"Café": 150, "Shipping": 1000})
    return report_generate(
        customer=customer, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )


def download(client, report, query=""):
    return client.get(f"/api/v2/reports/{report.pk}/download/{query}")


def rows(data: bytes, encoding="utf-8"):
    return list(csv.reader(io.StringIO(data.decode(encoding))))


def test_by_default_exactly_the_documents_four_columns_and_no_byte_order_mark(client, report):
    response = download(client, report)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    data = content(response)
    assert data.startswith(b"order_id,")
    table = rows(data)
    assert table[0] == DOCUMENT_HEADER
    assert {len(row) for row in table} == {4}
    assert [row[2:] for row in table[1:3]] == [["Café", "1.50"], ["Shipping", "10.00"]]


def test_a_byte_order_mark_on_request(client, report):
    response = download(client, report, "?bom=1")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    data = content(response)
    assert data[:3] == b"\xef\xbb\xbf"
    assert data.count(b"\xef\xbb\xbf") == 1  # the first bytes only
    table = rows(data, "utf-8-sig")
    assert table[0] == DOCUMENT_HEADER
    assert table[1][2] == "Café"
    assert data[3:] == content(download(client, report, "?bom=0"))


def test_the_extended_columns_follow_the_documents(client, report):
    table = rows(content(download(client, report, "?columns=extended&format=csv")))
    assert table[0] == EXTENDED_HEADER
    orders = {order.pk: order for order in Order.objects.filter(customer=report.customer)}
    assert len(table) == 1 + 4
    for row in table[1:]:
        order = orders[int(row[0])]
        assert row[4:] == [order.reference_number, order.order_date.isoformat(), "USD", "Café Olé"]
    # The first four columns are the default download's, line for line.
    default = rows(content(download(client, report)))
    assert [row[:4] for row in table] == [DOCUMENT_HEADER, *(row for row in default[1:])]


def test_the_extended_columns_are_the_detail_field_by_field(client, report):
    detail = exact_json(client.get(f"/api/v2/reports/{report.pk}/"))
    from_detail = [
        [
            str(order["order_id"]),
            str(cost["service_id"]),
            cost["service_name"],
            str(cost["amount"]),
            order["reference_number"],
            order["order_date"],
            detail["currency"],
            detail["customer_name"],
        ]
        for order in detail["orders"]
        for cost in order["service_costs"]
    ]
    streamed = content(download(client, report, "?columns=extended&bom=1"))
    assert rows(streamed, "utf-8-sig")[1:] == from_detail
    # The CSV generate answers is rendered from the detail itself: the same bytes.
    body = {
        "customer_id": report.customer_id,
        "start_date": "2023-01-01",
        "end_date": "2023-01-31",
        "output_format": "csv",
    }
    generated = client.post("/api/v2/reports/generate/?columns=extended&bom=1", body, format="json")
    assert generated.status_code == 201
    assert generated["Content-Type"] == "text/csv; charset=utf-8"
    assert generated.content == streamed


def test_formulas_are_defused_in_every_text_column(client):
    customer = CustomerFactory(name='=HYPERLINK("http://x")')
    _, orders, _ = make_orders(customer, count=1, costs={"@SUM(A1)": 1, "+cmd": 2})
    Order.objects.filter(pk=orders[0].pk).update(reference_number="-2+3")
    report = report_generate(
        customer=customer, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )
    table = rows(content(download(client, report, "?columns=extended")))
    assert sorted(row[2] for row in table[1:]) == ["'+cmd", "'@SUM(A1)"]
    for row in table[1:]:
        assert row[4] == "'-2+3"
        assert row[7] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize(
    "query,errors",
    [
        ("?columns=wide", {"columns": ["Must be one of: document, extended."]}),
        ("?columns=", {"columns": ["Must be one of: document, extended."]}),
        ("?bom=2", {"bom": ["Must be 0 or 1."]}),
        ("?bom=true", {"bom": ["Must be 0 or 1."]}),
        ("?bom=1&bom=1", {"bom": ["Given more than once."]}),
        ("?format=pdf&bom=1", {"bom": ["Only a CSV has it."]}),
        ("?format=json&columns=extended", {"columns": ["Only a CSV has it."]}),
        (
            "?columns=Extended&bom=yes",
            {"columns": ["Must be one of: document, extended."], "bom": ["Must be 0 or 1."]},
        ),
    ],
)
def test_a_bad_value_is_a_400_in_the_faces_shape(client, report, query, errors):
    response = download(client, report, query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = "; ".join(f"{name}: {message}" for name, [message] in errors.items())
    assert response.json() == {"error": error, "errors": errors}


@pytest.mark.parametrize(
    "query,output_format,field",
    [
        ("?bom=1", "json", "bom"),
        ("?columns=extended", "pdf", "columns"),
        ("?columns=all", "csv", "columns"),
        ("?x=1", "csv", "x"),
    ],
)
def test_generate_checks_them_too(client, report, query, output_format, field):
    body = {
        "customer_id": report.customer_id,
        "start_date": "2023-01-01",
        "end_date": "2023-01-31",
        "output_format": output_format,
    }
    response = client.post(f"/api/v2/reports/generate/{query}", body, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}


def test_the_same_idempotency_key_with_other_parameters_is_another_request(client, report):
    body = {
        "customer_id": report.customer_id,
        "start_date": "2023-01-01",
        "end_date": "2023-01-31",
        "output_format": "csv",
    }

    def post(query):
        return client.post(
            f"/api/v2/reports/generate/{query}", body, format="json", HTTP_IDEMPOTENCY_KEY="k"
        )

    first = post("?bom=1")
    assert first.status_code == 201 and first.content.startswith(b"\xef\xbb\xbf")
    assert post("?bom=1").content == first.content
    assert post("").status_code == 422


def test_the_admins_renderer_context_asks_for_the_byte_order_mark(report):
    detail = report_detail(report)
    with_bom = ReportCSVRenderer().render(detail, renderer_context={"bom": True})
    assert with_bom.startswith(b"\xef\xbb\xbforder_id,service_id,service_name,amount\r\n")
    assert with_bom.decode("utf-8-sig") == ReportCSVRenderer().render(detail).decode()
    assert report_document(report, "csv", {"bom": True}) == with_bom
    extended = ReportCSVRenderer().render(detail, renderer_context={"columns": "extended"})
    assert rows(extended)[0] == EXTENDED_HEADER


def test_the_schema_describes_the_parameters(api_client):
    schema = yaml.safe_load(api_client.get("/api/schema/").content)
    for path, method in (
        ("/api/v2/reports/{id}/download/", "get"),
        ("/api/v2/reports/generate/", "post"),
    ):
        parameters = {
            parameter["name"]: parameter
            for parameter in schema["paths"][path][method]["parameters"]
            if parameter["in"] == "query"
        }
        assert parameters["columns"]["schema"]["enum"] == ["document", "extended"]
        assert parameters["bom"]["schema"]["enum"] == ["0", "1"]
        assert "byte-order mark" in parameters["bom"]["description"]
