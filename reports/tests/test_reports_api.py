import csv
import datetime
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from billing_site.testing import bearer_client
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import CustomerFactory, UserFactory
from reports.models import BillingReport, BillingReportLine, Order, OrderServiceCost
from reports.services import report_generate
from reports.tests.factories import make_orders
from reports.tests.wire import content, exact_json

pytestmark = pytest.mark.django_db

FACE = "api.use_reports"
PERMS = ["reports.view_billingreport", "reports.add_billingreport", FACE]


@pytest.fixture
def client():
    return bearer_client(UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS]))


@pytest.fixture
def acme():
    customer = CustomerFactory(name="ACME Corp")
    make_orders(customer, count=3, costs={"Picking": 50025, "Shipping": 100010})
    make_orders(customer, count=1, start=datetime.date(2023, 2, 10), costs={"Picking": 1})
    return customer


def generate(client, **body):
    return client.post("/api/v2/reports/generate/", body, format="json")


def test_generate_returns_the_report_with_exact_totals(client, acme):
    response = generate(client, customer_id=acme.pk, start_date="2023-01-01", end_date="2023-01-31")
    assert response.status_code == 201
    body = exact_json(response)
    orders = list(Order.objects.filter(customer=acme, order_date__lt="2023-02-01"))
    picking, shipping = (
        OrderServiceCost.objects.filter(order=orders[0])
        .order_by("service_id")
        .values_list("service_id", flat=True)
    )
    assert body["customer_id"] == acme.pk and body["customer_name"] == "ACME Corp"
    assert (body["start_date"], body["end_date"]) == ("2023-01-01", "2023-01-31")
    # 3 x 500.25 + 3 x 1000.10, by hand
    assert body["total_amount"] == Decimal("4501.05")
    assert body["order_count"] == 3
    assert body["service_totals"] == {
        str(picking): {"service_name": "Picking", "amount": Decimal("1500.75")},
        str(shipping): {"service_name": "Shipping", "amount": Decimal("3000.30")},
    }
    assert body["orders"][0] == {
        "order_id": orders[0].pk,
        "reference_number": orders[0].reference_number,
        "order_date": "2023-01-01",
        "total_amount": Decimal("1500.35"),
        "service_costs": [
            {"service_id": picking, "service_name": "Picking", "amount": Decimal("500.25")},
            {"service_id": shipping, "service_name": "Shipping", "amount": Decimal("1000.10")},
        ],
    }
    assert BillingReport.objects.get(pk=body["id"]).line_count == 6


def test_a_report_is_a_frozen_snapshot(client, acme):
    report = exact_json(
        generate(client, customer_id=acme.pk, start_date="2023-01-01", end_date="2023-12-31")
    )
    OrderServiceCost.objects.update(amount_minor=1)
    Order.objects.filter(customer=acme).first().delete()
    again = exact_json(client.get(f"/api/v2/reports/{report['id']}/"))
    assert again == report


@pytest.mark.parametrize(
    "body,error",
    [
        (
            {"start_date": "2023-02-01", "end_date": "2023-01-01"},
            "Start date must be before end date",
        ),
        ({"customer_id": 999999}, "Customer with ID 999999 not found"),
        ({"output_format": "xml"}, "Invalid format: xml"),
    ],
)
def test_generate_errors_of_the_document(client, acme, body, error):
    payload = {"customer_id": acme.pk, "start_date": "2023-01-01", "end_date": "2023-01-31", **body}
    response = generate(client, **payload)
    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert not BillingReport.objects.exists()


def test_generate_names_every_missing_or_malformed_field(client):
    response = generate(client, start_date="2023-13-01", customer_id="abc")
    assert response.status_code == 400
    body = response.json()
    for field in ("customer_id", "start_date", "end_date"):
        assert field in body["error"]
        assert field in body["errors"]


def test_generate_in_each_format(client, acme):
    base = {"customer_id": acme.pk, "start_date": "2023-01-01", "end_date": "2023-01-31"}
    as_dict = generate(client, **base, output_format="dict")
    assert (as_dict.status_code, exact_json(as_dict)["total_amount"]) == (201, Decimal("4501.05"))
    as_csv = generate(client, **base, output_format="csv")
    assert as_csv.status_code == 201
    assert as_csv["Content-Type"].startswith("text/csv")
    assert as_csv.content.decode().splitlines()[0] == "order_id,service_id,service_name,amount"
    as_pdf = generate(client, **base, output_format="pdf")
    assert (as_pdf.status_code, as_pdf["Content-Type"]) == (201, "application/pdf")
    assert as_pdf.content.startswith(b"%PDF")


def _csv_rows(response):
    return list(csv.reader(io.StringIO(content(response).decode())))


def test_download_csv_is_streamed_with_exact_columns(client, acme):
    report = report_generate(
        customer=acme, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 12, 31)
    )
    for url in (
        f"/api/v2/reports/{report.pk}/download/",
        f"/api/v2/reports/{report.pk}/download/?format=csv",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response.streaming
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == (
            f'attachment; filename="billing_report_{report.pk}.csv"'
        )
        rows = _csv_rows(response)
        assert rows[0] == ["order_id", "service_id", "service_name", "amount"]
        assert len(rows) == 1 + 7
        assert rows[1][2:] == ["Picking", "500.25"]


def test_download_json_and_pdf(client, acme):
    report = report_generate(
        customer=acme, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 12, 31)
    )
    as_json = client.get(f"/api/v2/reports/{report.pk}/download/?format=json")
    assert as_json["Content-Disposition"] == (
        f'attachment; filename="billing_report_{report.pk}.json"'
    )
    assert exact_json(as_json)["total_amount"] == Decimal("4501.06")
    as_pdf = client.get(f"/api/v2/reports/{report.pk}/download/?format=pdf")
    assert as_pdf["Content-Type"] == "application/pdf"
    assert as_pdf["Content-Disposition"] == (
        f'attachment; filename="billing_report_{report.pk}.pdf"'
    )
    text = " ".join(PdfReader(io.BytesIO(as_pdf.content)).pages[0].extract_text().split())
    for expected in (
        "ACME Corp",
        "Period: 2023-01-01 to 2023-12-31",
        "Picking",
        "Shipping",
        "1500.76",
        "Grand total 4501.06 USD",
        "REF-",
    ):
        assert expected in text, expected


@pytest.mark.parametrize(
    "query,error",
    [
        ("?format=xyz", {"error": "Invalid format: xyz"}),
        ("?format=", {"error": "Invalid format: "}),
        (
            "?format=csv&format=pdf",
            {
                "error": "format: Given more than once.",
                "errors": {"format": ["Given more than once."]},
            },
        ),
        (
            "?format=csv&x=1",
            {"error": "x: Unknown query parameter.", "errors": {"x": ["Unknown query parameter."]}},
        ),
    ],
)
def test_download_in_an_unknown_format_is_400(client, acme, query, error):
    report = report_generate(
        customer=acme, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 12, 31)
    )
    response = client.get(f"/api/v2/reports/{report.pk}/download/{query}")
    assert response.status_code == 400
    assert response.json() == error


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/reports/999999/",
        "/api/v2/reports/999999/download/",
        "/api/v2/reports/abc",
        "/api/v2/reports/abc/download/?format=pdf",
        "/api/v2/reports/1.5/",
        "/api/v2/reports/-1/",
        "/api/v2/orders/abc/",
        "/api/v2/services/x.y",
    ],
)
def test_unknown_report_or_bad_path_value_is_a_json_404(settings, debug, path):
    settings.DEBUG = debug
    reader = UserFactory(perms=[*PERMS, "reports.view_order", "reports.view_service"])
    response = bearer_client(reader).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_csv_cells_are_defused_against_formulas(client):
    customer, _, _ = make_orders(
        count=1, costs={'=HYPERLINK("http://x")': 100, "@SUM(A1)": 1, 'Plain "quoted"': 2}
    )
    report = report_generate(
        customer=customer, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )
    rows = _csv_rows(client.get(f"/api/v2/reports/{report.pk}/download/"))
    names = sorted(row[2] for row in rows[1:])
    assert names == ['\'=HYPERLINK("http://x")', "'@SUM(A1)", 'Plain "quoted"']


def test_list_filters_and_ordering(client, acme):
    other = CustomerFactory(name="Widgets Inc")
    make_orders(other, count=2)
    january = report_generate(
        customer=acme, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )
    february = report_generate(
        customer=acme, start_date=datetime.date(2023, 2, 1), end_date=datetime.date(2023, 2, 28)
    )
    widgets = report_generate(
        customer=other, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )
    BillingReport.objects.filter(pk=january.pk).update(
        created_at=datetime.datetime(2023, 2, 1, 12, tzinfo=datetime.UTC)
    )

    def ids(query=""):
        response = client.get(f"/api/v2/reports/{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in exact_json(response)]

    listed = exact_json(client.get("/api/v2/reports/"))
    assert listed[-1] == {
        "id": january.pk,
        "customer_id": acme.pk,
        "customer_name": "ACME Corp",
        "start_date": "2023-01-01",
        "end_date": "2023-01-31",
        "created_at": "2023-02-01T12:00:00Z",
        "total_amount": Decimal("4501.05"),
        "order_count": 3,
        "currency": "USD",
        "invoice": None,
    }
    assert ids(f"?customer_id={other.pk}") == [widgets.pk]
    assert ids("?start_date=2023-02-01") == [february.pk]
    assert set(ids("?end_date=2023-01-31")) == {january.pk, widgets.pk}
    assert ids("?created_before=2023-02-01") == [january.pk]
    assert january.pk not in ids("?created_after=2023-02-02")
    assert ids("?order_by=total_amount")[0] == february.pk
    assert ids("?order_by=-total_amount")[0] == january.pk
    assert ids("?order_by=created_at")[0] == january.pk
    assert ids("?order_by=-created_at")[-1] == january.pk


@pytest.mark.parametrize(
    "query,field",
    [
        ("?start_date=2023-02-30", "start_date"),
        ("?start_date=01/01/2023", "start_date"),
        ("?end_date=2023-1-31", "end_date"),
        ("?created_after=20230101", "created_after"),
        ("?created_before=2023-W05-1", "created_before"),
        ("?created_after=yesterday", "created_after"),
        ("?order_by=customer__name", "order_by"),
        ("?order_by=secret", "order_by"),
        ("?customer_id=x", "customer_id"),
        ("?colour=red", "colour"),
        ("?page=0", "page"),
        ("?page_size=x", "page_size"),
    ],
)
def test_bad_list_queries_are_400_in_the_faces_shape(client, query, field):
    response = client.get(f"/api/v2/reports/{query}")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error", "errors"}
    assert body["error"].startswith(f"{field}: ")
    assert set(body["errors"]) == {field}


def test_a_us_date_is_refused_not_read_as_one(client, acme):
    report_generate(
        customer=acme, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )
    assert len(exact_json(client.get("/api/v2/reports/?start_date=2023-01-01"))) == 1
    response = client.get("/api/v2/reports/?start_date=01/01/2023")
    assert response.status_code == 400
    assert response.json() == {
        "error": "start_date: Must be a valid date written YYYY-MM-DD.",
        "errors": {"start_date": ["Must be a valid date written YYYY-MM-DD."]},
    }


@pytest.mark.parametrize("count", [1, 10])
def test_detail_queries_are_constant(client, count, django_assert_num_queries):
    customer, _, _ = make_orders(count=count)
    report = report_generate(
        customer=customer, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )
    # token deny-list, user, permissions, report with customer, its lines, log row
    with django_assert_num_queries(6):
        assert len(exact_json(client.get(f"/api/v2/reports/{report.pk}/"))["orders"]) == count


@pytest.mark.parametrize("orders", [1, 120])
def test_generation_takes_a_constant_number_of_queries(orders, django_assert_num_queries):
    customer, _, _ = make_orders(count=orders)
    # insert report, copy lines, totals, per-service totals, save totals, its event
    # (+ savepoint pair)
    with django_assert_num_queries(8):
        report = report_generate(
            customer=customer,
            start_date=datetime.date(2023, 1, 1),
            end_date=datetime.date(2023, 12, 31),
        )
    assert report.order_count == orders
    assert BillingReportLine.objects.filter(report=report).count() == orders * 2


def test_customer_summary(client, acme):
    report_generate(
        customer=acme, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )
    report_generate(
        customer=acme, start_date=datetime.date(2023, 2, 1), end_date=datetime.date(2023, 2, 28)
    )
    other = CustomerFactory(name="Widgets Inc")
    body = exact_json(client.get("/api/v2/reports/customer-summary/"))
    assert len(body) == 1
    row = body[0]
    assert (row["customer_id"], row["customer_name"], row["report_count"], row["total_amount"]) == (
        acme.pk,
        "ACME Corp",
        2,
        Decimal("4501.06"),
    )
    assert row["first_report"] <= row["latest_report"]
    summary = client.get(f"/api/v2/reports/customer-summary/?customer_id={other.pk}")
    assert exact_json(summary) == []
    assert client.get("/api/v2/reports/customer-summary/?customer_id=x").status_code == 400


def test_reports_need_auth_and_permissions(api_client, acme):
    response = api_client.get("/api/v2/reports/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    reader = bearer_client(UserFactory(perms=["reports.view_billingreport", FACE]))
    assert reader.get("/api/v2/reports/").status_code == 200
    assert (
        generate(
            reader, customer_id=acme.pk, start_date="2023-01-01", end_date="2023-01-31"
        ).status_code
        == 403
    )


def test_a_linked_user_sees_and_generates_only_its_customers_reports(acme):
    other = CustomerFactory()
    make_orders(other, count=1)
    user = UserFactory(perms=PERMS)
    other.users.add(user)
    theirs = report_generate(
        customer=acme, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )
    client = bearer_client(user)
    assert exact_json(client.get("/api/v2/reports/")) == []
    assert client.get(f"/api/v2/reports/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v2/reports/{theirs.pk}/download/").status_code == 404
    assert exact_json(client.get("/api/v2/reports/customer-summary/")) == []
    refused = generate(client, customer_id=acme.pk, start_date="2023-01-01", end_date="2023-01-31")
    assert refused.json() == {"error": f"Customer with ID {acme.pk} not found"}
    mine = generate(client, customer_id=other.pk, start_date="2023-01-01", end_date="2023-01-31")
    assert mine.status_code == 201


def test_a_report_spans_at_most_a_year(client, acme):
    response = generate(client, customer_id=acme.pk, start_date="2023-01-01", end_date="2024-01-02")
    assert response.status_code == 400
    assert response.json() == {"error": "A report may span at most 366 days"}
    assert (
        generate(
            client, customer_id=acme.pk, start_date="2024-01-01", end_date="2024-12-31"
        ).status_code
        == 201
    )


def test_documents_are_bounded_in_lines(client, acme, settings):
    settings.REPORT_MAX_DOCUMENT_LINES = 5
    settings.REPORT_MAX_CSV_LINES = 6
    base = {"customer_id": acme.pk, "start_date": "2023-01-01", "end_date": "2023-12-31"}
    refused = generate(client, **base, output_format="pdf")
    assert refused.status_code == 400
    assert "more than the 5 a PDF document holds; download it as CSV" in refused.json()["error"]
    assert not BillingReport.objects.exists()
    report = report_generate(
        customer=acme, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 12, 31)
    )  # 7 lines
    for query in ("?format=pdf", "?format=json", ""):
        assert client.get(f"/api/v2/reports/{report.pk}/download/{query}").status_code == 400
    assert client.get(f"/api/v2/reports/{report.pk}/").status_code == 400
    settings.REPORT_MAX_CSV_LINES = 7
    assert client.get(f"/api/v2/reports/{report.pk}/download/").status_code == 200


def test_the_streamed_csv_is_the_detail_field_by_field(client):
    """The CSV download reads the frozen lines straight (flat memory for any
    length); each row is the detail's ``orders[].service_costs[]``, every column."""
    customer, _, _ = make_orders(
        count=4, costs={"Picking": 5, 'Ship, "fast"': 123456789, "=cmd": 0, "Packing": 1000}
    )
    report = report_generate(
        customer=customer, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )
    detail = exact_json(client.get(f"/api/v2/reports/{report.pk}/"))
    from_detail = [
        [str(order["order_id"]), str(cost["service_id"]), cost["service_name"], str(cost["amount"])]
        for order in detail["orders"]
        for cost in order["service_costs"]
    ]
    rows = _csv_rows(client.get(f"/api/v2/reports/{report.pk}/download/"))
    assert rows[0] == ["order_id", "service_id", "service_name", "amount"]
    defused = [[*row[:2], row[2].removeprefix("'"), row[3]] for row in rows[1:]]
    assert defused == from_detail
    assert {row[3] for row in rows[1:]} == {"0.05", "1234567.89", "0.00", "10.00"}
    # The CSV that generate answers (rendered from the detail itself) is the same.
    generated = generate(
        client,
        customer_id=customer.pk,
        start_date="2023-01-01",
        end_date="2023-01-31",
        output_format="csv",
    )
    assert _csv_rows(generated) == rows


def test_money_is_a_json_number_with_the_currencys_places(client, acme):
    report = report_generate(
        customer=acme, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )
    BillingReport.objects.filter(pk=report.pk).update(total_minor=150000)
    listed = content(client.get("/api/v2/reports/"))
    assert b'"total_amount":1500.00,' in listed
    detail = content(client.get(f"/api/v2/reports/{report.pk}/"))
    assert b'"total_amount":1500.00,' in detail
    assert b'"amount":1500.75}' in detail  # Picking: 3 x 500.25
    summary = content(client.get("/api/v2/reports/customer-summary/"))
    assert b'"total_amount":1500.00,' in summary
    BillingReport.objects.filter(pk=report.pk).update(currency="IQD", total_minor=50000000)
    assert b'"total_amount":50000.000,' in content(client.get("/api/v2/reports/"))
    # Dates stay strings.
    assert b'"start_date":"2023-01-01"' in listed


def test_the_format_is_the_parameters_never_the_accept_headers(client, acme):
    report = report_generate(
        customer=acme, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )
    as_json = client.get(
        f"/api/v2/reports/{report.pk}/download/?format=json", HTTP_ACCEPT="application/pdf"
    )
    assert (as_json.status_code, as_json["Content-Type"]) == (200, "application/json")
    assert exact_json(as_json)["id"] == report.pk
    as_pdf = client.get(
        f"/api/v2/reports/{report.pk}/download/?format=pdf", HTTP_ACCEPT="application/json"
    )
    assert (as_pdf.status_code, as_pdf["Content-Type"]) == (200, "application/pdf")
    # The list, the detail and the summary are JSON only: another Accept is a 406, not a 500.
    for path in ("/api/v2/reports/", f"/api/v2/reports/{report.pk}/"):
        refused = client.get(path, HTTP_ACCEPT="text/csv")
        assert refused.status_code == 406
        assert set(refused.json()) == {"detail"}


@pytest.mark.parametrize(
    "date", ["01/01/2023", "2023-1-1", "20230101", "2023-W01-1", "2023-01-01T00:00"]
)
def test_every_date_of_the_face_is_yyyy_mm_dd_only(acme, date):
    perms = [*PERMS, "reports.view_order", "reports.add_order", VIEW_ALL_CUSTOMERS]
    client = bearer_client(UserFactory(perms=perms))
    message = "Must be a valid date written YYYY-MM-DD."
    refused = generate(client, customer_id=acme.pk, start_date=date, end_date="2023-01-31")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"start_date": [message]}
    order = {"customer_id": acme.pk, "reference_number": "R", "order_date": date}
    refused = client.post("/api/v2/orders/", {**order, "service_costs": []}, format="json")
    assert refused.json()["errors"]["order_date"] == [message]
    for query in (f"?date_from={date}", f"?date_to={date}"):
        refused = client.get(f"/api/v2/orders/{query}")
        assert refused.status_code == 400
        assert list(refused.json()["errors"].values()) == [[message]]
    assert not BillingReport.objects.exists()


@pytest.mark.parametrize(
    "path", ["generate/", "{pk}/download/?format=csv", "{pk}/download/?format=pdf"]
)
def test_options_on_a_download_describes_it_in_json(client, acme, path):
    report = report_generate(
        customer=acme, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 12, 31)
    )
    response = client.options("/api/v2/reports/" + path.format(pk=report.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "name" in response.json()
