"""Document 003 (Billing V2 reports) replayed: its own example requests, sent as
written, and its example responses (copied below as the document prints them),
whose keys and JSON types (number, string, null, array, object) the service's
answers must have. The data are the document's: customers 123 "ACME Corp" and
456 "Widgets Inc", services 1 "Picking" and 2 "Shipping", order 10001
"REF-10001" of 2023-01-15 costing 500.00 and 1000.00."""

import datetime
import json
from decimal import Decimal

import pytest

from billing_site.testing import bearer_client
from invoices.models import VIEW_ALL_CUSTOMERS, Customer
from invoices.tests.factories import UserFactory
from reports.models import Order, OrderServiceCost, Service
from reports.tests.wire import content, exact_json, mismatches

pytestmark = pytest.mark.django_db

LIST_EXAMPLE = """
[
  {
    "id": 1,
    "customer_id": 123,
    "customer_name": "ACME Corp",
    "start_date": "2023-01-01",
    "end_date": "2023-01-31",
    "created_at": "2023-02-01T12:00:00Z",
    "total_amount": 1500.0,
    "order_count": 5
  },
  {
    "id": 2,
    "customer_id": 456,
    "customer_name": "Widgets Inc",
    "start_date": "2023-01-01",
    "end_date": "2023-01-31",
    "created_at": "2023-02-01T14:30:00Z",
    "total_amount": 2750.0,
    "order_count": 8
  }
]
"""

DETAIL_EXAMPLE = """
{
  "id": 1,
  "customer_id": 123,
  "customer_name": "ACME Corp",
  "start_date": "2023-01-01",
  "end_date": "2023-01-31",
  "created_at": "2023-02-01T12:00:00Z",
  "total_amount": 1500.0,
  "service_totals": {
    "1": {
      "service_name": "Picking",
      "amount": 500.0
    },
    "2": {
      "service_name": "Shipping",
      "amount": 1000.0
    }
  },
  "orders": [
    {
      "order_id": 10001,
      "reference_number": "REF-10001",
      "order_date": "2023-01-15",
      "total_amount": 1500.0,
      "service_costs": [
        {
          "service_id": 1,
          "service_name": "Picking",
          "amount": 500.0
        },
        {
          "service_id": 2,
          "service_name": "Shipping",
          "amount": 1000.0
        }
      ]
    }
  ]
}
"""

GENERATE_REQUEST = """
{
  "customer_id": 123,
  "start_date": "2023-01-01",
  "end_date": "2023-01-31",
  "output_format": "json"
}
"""

GENERATE_EXAMPLE = """
{
  "id": 3,
  "customer_id": 123,
  "customer_name": "ACME Corp",
  "start_date": "2023-01-01",
  "end_date": "2023-01-31",
  "created_at": "2023-02-15T09:45:00Z",
  "total_amount": 2500.0,
  "service_totals": {
    "1": {
      "service_name": "Picking",
      "amount": 800.0
    },
    "2": {
      "service_name": "Shipping",
      "amount": 1700.0
    }
  },
  "orders": [
    {
      "order_id": 10005,
      "reference_number": "REF-10005",
      "order_date": "2023-01-20",
      "total_amount": 2500.0,
      "service_costs": [
        {
          "service_id": 1,
          "service_name": "Picking",
          "amount": 800.0
        },
        {
          "service_id": 2,
          "service_name": "Shipping",
          "amount": 1700.0
        }
      ]
    }
  ]
}
"""

CSV_EXAMPLE = """order_id,service_id,service_name,amount
10001,1,"Picking",500.00
10001,2,"Shipping",1000.00
"""

SUMMARY_EXAMPLE = """
[
  {
    "customer_id": 123,
    "customer_name": "ACME Corp",
    "report_count": 5,
    "total_amount": 7500.0,
    "first_report": "2023-01-01T00:00:00Z",
    "latest_report": "2023-05-01T00:00:00Z"
  },
  {
    "customer_id": 456,
    "customer_name": "Widgets Inc",
    "report_count": 3,
    "total_amount": 4200.0,
    "first_report": "2023-02-01T00:00:00Z",
    "latest_report": "2023-04-01T00:00:00Z"
  }
]
"""

# The document's Python example filters the list so.
FILTER_PARAMS = {
    "customer_id": 123,
    "start_date": "2023-01-01",
    "end_date": "2023-01-31",
    "order_by": "-created_at",
}


def parsed(text: str):
    return json.loads(text, parse_float=Decimal)


def test_the_type_check_fails_where_the_types_differ():
    example = parsed(DETAIL_EXAMPLE)
    as_strings = {**example, "total_amount": "1500.00"}
    assert mismatches(example, as_strings) == ["$.total_amount: string, the document shows number"]
    assert mismatches(example, {k: v for k, v in example.items() if k != "orders"}) == [
        "$: no 'orders'"
    ]
    wrong_cost = parsed(DETAIL_EXAMPLE)
    wrong_cost["orders"][0]["service_costs"][1]["amount"] = None
    assert mismatches(example, wrong_cost) == [
        "$.orders[0].service_costs[1].amount: null, the document shows number"
    ]
    assert mismatches(example, {**example, "service_totals": {"x": {}}}) == [
        "$.service_totals: key 'x' is not an id",
        "$.service_totals.x: no 'service_name'",
        "$.service_totals.x: no 'amount'",
    ]


@pytest.fixture
def client():
    user = UserFactory(
        perms=[
            "reports.view_billingreport",
            "reports.add_billingreport",
            "api.use_reports",
            VIEW_ALL_CUSTOMERS,
        ]
    )
    return bearer_client(user)


@pytest.fixture
def documents_data():
    acme = Customer.objects.create(pk=123, name="ACME Corp", account_number="DOC-123")
    widgets = Customer.objects.create(pk=456, name="Widgets Inc", account_number="DOC-456")
    picking = Service.objects.create(pk=1, name="Picking")
    shipping = Service.objects.create(pk=2, name="Shipping")
    order = Order.objects.create(
        pk=10001, customer=acme, reference_number="REF-10001", order_date=datetime.date(2023, 1, 15)
    )
    OrderServiceCost.objects.create(order=order, service=picking, amount_minor=50000)
    OrderServiceCost.objects.create(order=order, service=shipping, amount_minor=100000)
    for day in range(1, 9):
        other = Order.objects.create(
            customer=widgets, reference_number=f"W-{day}", order_date=datetime.date(2023, 1, day)
        )
        OrderServiceCost.objects.create(order=other, service=shipping, amount_minor=34375)
    return acme, widgets


def generate(client, body=GENERATE_REQUEST):
    return client.post("/api/v2/reports/generate/", json.loads(body), format="json")


def test_generate_as_the_document_shows(client, documents_data):
    response = generate(client)
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    body = exact_json(response)
    assert mismatches(parsed(GENERATE_EXAMPLE), body) == []
    # With the document's data, the document's own detail, to the digit.
    expected = parsed(DETAIL_EXAMPLE)
    assert {key: body[key] for key in expected if key not in ("id", "created_at")} == {
        key: value for key, value in expected.items() if key not in ("id", "created_at")
    }
    assert b'"total_amount":1500.00,' in content(response)
    assert b'"amount":500.00}' in content(response)


def test_detail_as_the_document_shows(client, documents_data):
    report_id = exact_json(generate(client))["id"]
    response = client.get(f"/api/v2/reports/{report_id}/")
    assert response.status_code == 200
    assert mismatches(parsed(DETAIL_EXAMPLE), exact_json(response)) == []
    missing = client.get("/api/v2/reports/999999/")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not found."})


def test_list_and_its_filters_as_the_document_shows(client, documents_data):
    acme_report = exact_json(generate(client))
    widgets = GENERATE_REQUEST.replace("123", "456")
    assert generate(client, widgets).status_code == 201
    response = client.get("/api/v2/reports/")
    assert response.status_code == 200
    rows = exact_json(response)
    assert len(rows) == 2
    assert mismatches(parsed(LIST_EXAMPLE), rows) == []
    assert [(row["customer_name"], row["total_amount"], row["order_count"]) for row in rows] == [
        ("Widgets Inc", Decimal("2750.00"), 8),
        ("ACME Corp", Decimal("1500.00"), 1),
    ]
    filtered = exact_json(client.get("/api/v2/reports/", FILTER_PARAMS))
    assert [row["id"] for row in filtered] == [acme_report["id"]]
    for row in exact_json(client.get("/api/v2/reports/", {"order_by": "total_amount"})):
        assert mismatches(parsed(LIST_EXAMPLE)[0], row) == []


def test_download_in_each_format_as_the_document_shows(client, documents_data):
    report_id = exact_json(generate(client))["id"]
    as_csv = client.get(f"/api/v2/reports/{report_id}/download/?format=csv")
    assert as_csv.status_code == 200
    assert as_csv["Content-Type"].startswith("text/csv")
    assert as_csv["Content-Disposition"] == f'attachment; filename="billing_report_{report_id}.csv"'
    assert content(as_csv).decode().splitlines() == CSV_EXAMPLE.splitlines()
    as_json = client.get(f"/api/v2/reports/{report_id}/download/?format=json")
    assert as_json["Content-Type"] == "application/json"
    assert mismatches(parsed(DETAIL_EXAMPLE), exact_json(as_json)) == []
    as_pdf = client.get(f"/api/v2/reports/{report_id}/download/?format=pdf")
    assert as_pdf["Content-Type"] == "application/pdf"
    assert as_pdf.content.startswith(b"%PDF")
    bad = client.get(f"/api/v2/reports/{report_id}/download/?format=xyz")
    assert (bad.status_code, bad.json()) == (400, {"error": "Invalid format: xyz"})


def test_customer_summary_as_the_document_shows(client, documents_data):
    generate(client)
    generate(client, GENERATE_REQUEST.replace("123", "456"))
    response = client.get("/api/v2/reports/customer-summary/")
    assert response.status_code == 200
    rows = exact_json(response)
    assert mismatches(parsed(SUMMARY_EXAMPLE), rows) == []
    assert [(row["customer_id"], row["report_count"]) for row in rows] == [(123, 1), (456, 1)]
    one = exact_json(client.get("/api/v2/reports/customer-summary/", {"customer_id": 123}))
    assert [row["customer_name"] for row in one] == ["ACME Corp"]


@pytest.mark.parametrize(
    "changes,error",
    [
        ({"start_date": "2023-02-01"}, "Start date must be before end date"),
        ({"customer_id": 999}, "Customer with ID 999 not found"),
    ],
)
def test_the_documents_generate_errors(client, documents_data, changes, error):
    body = {**json.loads(GENERATE_REQUEST), **changes}
    response = client.post("/api/v2/reports/generate/", body, format="json")
    assert (response.status_code, response.json()) == (400, {"error": error})


def test_the_documents_authentication_error(api_client):
    response = api_client.get("/api/v2/reports/")
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "Authentication credentials were not provided."},
    )
