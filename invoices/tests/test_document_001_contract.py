"""Document 001, replayed: its example requests sent as it writes them, and its
example responses' keys and JSON types (number, string, null, array, object)
checked against what the service answers, through HTTP only.

The examples below are copied from the document. Where it contradicts itself,
the endpoints' examples win over the long "sample JSON response", which it
calls "just a sample ... you'll need to modify": its ids are strings
(``"id": "123456"``), the endpoints' are numbers (``"id": 1``), and one object
has one type per field."""

import pytest

from billing_site.testing import bearer_client, json_type
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import CustomerFactory, UserFactory
from invoices.tests.json_bodies import number, parsed

pytestmark = pytest.mark.django_db

# --- the document's examples ---------------------------------------------------------

LIST_RESPONSE = [
    {"id": 1, "customer_id": 123, "amount": 100.0, "date": "2023-03-01", "due_date": "2023-03-31"},
    {"id": 2, "customer_id": 456, "amount": 50.0, "date": "2023-03-15", "due_date": "2023-04-15"},
]
# Sent as the document's text: 100.0 a JSON number with a fraction.
CREATE_REQUEST = """{
  "customer_id": 123,
  "amount": 100.0,
  "date": "2023-03-01",
  "due_date": "2023-03-31"
}"""
CREATE_RESPONSE = {
    "id": 1,
    "customer_id": 123,
    "amount": 100.0,
    "date": "2023-03-01",
    "due_date": "2023-03-31",
}
# The document's text breaks off inside due_date ("2023): a string all the same.
GET_RESPONSE = CREATE_RESPONSE
RICH_RESPONSE = {
    "id": "123456",
    "date": "2022-02-28T12:34:56Z",
    "due_date": "2022-03-14T00:00:00Z",
    "currency": "USD",
    "subtotal": 100.00,
    "tax": 10.00,
    "total": 110.00,
    "line_items": [
        {"id": "1", "description": "Product 1", "quantity": 2, "price": 50.00, "subtotal": 100.00}
    ],
    "customer": {
        "id": "789",
        "name": "John Doe",
        "email": "john.doe@example.com",
        "address": {
            "street": "123 Main St",
            "city": "Anytown",
            "state": "CA",
            "zip": "12345",
            "country": "US",
        },
    },
    "status": "paid",
    "payment": {
        "id": "abcdefg12345",
        "date": "2022-03-01T12:34:56Z",
        "amount": 110.00,
        "method": "credit_card",
        "card": {"type": "Visa", "last4": "1234", "exp_month": 12, "exp_year": 2023},
    },
}
# Ids are numbers, as the endpoints' examples write them (see the module's note).
RICH_IDS = {
    path: {"number"} for path in ("$.id", "$.line_items[].id", "$.customer.id", "$.payment.id")
}
USAGE_REQUEST = """{
  "start_date": "2022-01-01",
  "end_date": "2022-01-31",
  "filters": {
    "region": "us-west-1",
    "service": "EC2"
  }
}"""
USAGE_RESPONSE = {
    "start_date": "2022-01-01",
    "end_date": "2022-01-31",
    "filters": {"region": "us-west-1", "service": "EC2"},
    "usage": [
        {
            "resource_id": "i-1234567890abcdef0",
            "resource_name": "web-server-1",
            "service": "EC2",
            "region": "us-west-1",
            "start_time": "2022-01-01T00:00:00Z",
            "end_time": "2022-01-01T01:00:00Z",
            "duration": 3600,
            "cost": 0.50,
        },
        {
            "resource_id": "i-0987654321fedcba0",
            "resource_name": "db-server-1",
            "service": "RDS",
            "region": "us-west-1",
            "start_time": "2022-01-01T00:00:00Z",
            "end_time": "2022-01-01T01:00:00Z",
            "duration": 3600,
            "cost": 1.00,
        },
    ],
    "total_cost": 1.50,
}
# The usage rows of the example response, recorded as the usage API takes them.
USAGE_RECORDS = """[
  {"resource_id": "i-1234567890abcdef0", "resource_name": "web-server-1", "service": "EC2",
   "region": "us-west-1", "start_time": "2022-01-01T00:00:00Z",
   "end_time": "2022-01-01T01:00:00Z", "duration": 3600, "cost": 0.50},
  {"resource_id": "i-0987654321fedcba0", "resource_name": "db-server-1", "service": "RDS",
   "region": "us-west-1", "start_time": "2022-01-01T00:00:00Z",
   "end_time": "2022-01-01T01:00:00Z", "duration": 3600, "cost": 1.00}
]"""

# --- the comparison --------------------------------------------------------------------


def mismatches(example, answer, types: dict[str, set[str]] | None = None, path="$") -> list[str]:
    """Where ``answer`` lacks a key of ``example`` or has another JSON type for
    it (``types`` allows others by path); every item of an answered array is
    held to the example's first. Keys the example has not got are free."""
    allowed = (types or {}).get(path, {json_type(example)})
    if json_type(answer) not in allowed:
        return [f"{path}: {'/'.join(sorted(allowed))} expected, {json_type(answer)} answered"]
    found = []
    if isinstance(example, dict):
        for key, value in example.items():
            if key not in answer:
                found.append(f"{path}.{key}: missing")
            else:
                found += mismatches(value, answer[key], types, f"{path}.{key}")
    elif isinstance(example, list) and isinstance(answer, list):
        if not answer:
            found.append(f"{path}: empty, nothing to compare")
        for item in answer:
            found += mismatches(example[0], item, types, f"{path}[]")
    return found


def test_the_comparison_finds_what_differs():
    example = {"id": 1, "amount": 1.5, "items": [{"price": 2.0}], "note": None}
    assert (
        mismatches(example, {"id": 1, "amount": 1.5, "items": [{"price": 2}], "note": None}) == []
    )
    assert mismatches(example, {"id": "1", "amount": "1.5", "items": [{}], "note": 1}) == [
        "$.id: number expected, string answered",
        "$.amount: number expected, string answered",
        "$.items[].price: missing",
        "$.note: null expected, number answered",
    ]
    assert mismatches([{"a": 1}], []) == ["$: empty, nothing to compare"]
    assert mismatches({"a": [1]}, {"a": {}}) == ["$.a: array expected, object answered"]


# --- the replays ----------------------------------------------------------------------


@pytest.fixture
def client():
    user = UserFactory(
        perms=[
            "api.use_invoices",
            "api.use_reports",
            "invoices.view_invoice",
            "invoices.add_invoice",
            "invoices.change_invoice",
            "invoices.delete_invoice",
            "invoices.view_customer",
            "invoices.add_customer",
            "payments.view_payment",
            "payments.add_payment",
            "reports.add_usagerecord",
            "reports.view_usagerecord",
            VIEW_ALL_CUSTOMERS,
        ]
    )
    return bearer_client(user)


@pytest.fixture
def customers():
    """The customers the document's examples name."""
    return [CustomerFactory(pk=123), CustomerFactory(pk=456)]


def post_json(client, path, text):
    return client.generic("POST", path, text, content_type="application/json")


def test_post_invoices_with_the_documents_request(client, customers):
    response = post_json(client, "/api/v1/invoices", CREATE_REQUEST)
    assert response.status_code == 201
    body = parsed(response)
    assert mismatches(CREATE_RESPONSE, body) == []
    assert (body["customer_id"], number(body["amount"]), body["date"], body["due_date"]) == (
        123,
        "100.00",
        "2023-03-01",
        "2023-03-31",
    )


def test_get_invoices_is_the_documents_bare_array(client, customers):
    for text in (CREATE_REQUEST, CREATE_REQUEST.replace("123", "456").replace("100.0", "50.0")):
        assert post_json(client, "/api/v1/invoices", text).status_code == 201
    response = client.get("/api/v1/invoices")
    assert response.status_code == 200
    body = parsed(response)
    assert mismatches(LIST_RESPONSE, body) == []
    assert sorted((row["customer_id"], number(row["amount"])) for row in body) == [
        (123, "100.00"),
        (456, "50.00"),
    ]


def test_get_an_invoice_by_id(client, customers):
    created = parsed(post_json(client, "/api/v1/invoices", CREATE_REQUEST))
    response = client.get(f"/api/v1/invoices/{created['id']}")
    assert response.status_code == 200
    assert mismatches(GET_RESPONSE, parsed(response)) == []


def test_the_documents_error_statuses(client, api_client, customers):
    assert api_client.get("/api/v1/invoices").status_code == 401
    assert bearer_client(UserFactory()).get("/api/v1/invoices").status_code == 403
    assert client.get("/api/v1/invoices/999999").status_code == 404
    invalid = post_json(client, "/api/v1/invoices", CREATE_REQUEST.replace('"amount"', '"sum"'))
    assert (invalid.status_code, list(invalid.json())) == (400, ["amount"])


def test_the_rich_sample(client):
    sample = RICH_RESPONSE
    customer = client.post(
        "/api/v1/customers",
        {key: sample["customer"][key] for key in ("name", "email", "address")},
        format="json",
    )
    assert customer.status_code == 201, customer.json()
    line = {key: sample["line_items"][0][key] for key in ("description", "quantity", "price")}
    created = client.post(
        "/api/v1/invoices",
        {
            "customer_id": customer.json()["id"],
            "date": sample["date"][:10],
            "due_date": sample["due_date"][:10],
            "currency": sample["currency"],
            "line_items": [{**line, "tax_rate": 10}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    invoice_id = created.json()["id"]
    payment = {key: sample["payment"][key] for key in ("amount", "method", "card")}
    paid = client.post(f"/api/v1/invoices/{invoice_id}/payments", payment, format="json")
    assert paid.status_code == 201, paid.json()

    body = parsed(client.get(f"/api/v1/invoices/{invoice_id}"))
    assert mismatches(sample, body, RICH_IDS) == []
    assert [number(body[key]) for key in ("subtotal", "tax", "total")] == [
        "100.00",
        "10.00",
        "110.00",
    ]
    assert [number(body["line_items"][0][key]) for key in ("quantity", "price", "subtotal")] == [
        "2.000",
        "50.00",
        "100.00",
    ]
    assert body["customer"]["address"] == sample["customer"]["address"]
    assert (body["status"], number(body["payment"]["amount"])) == ("paid", "110.00")
    assert body["payment"]["card"] == sample["payment"]["card"]


@pytest.fixture
def usage_report(client):
    """The document's usage rows recorded, then its usage report request sent."""
    recorded = post_json(client, "/api/v1/usage", USAGE_RECORDS)
    assert recorded.status_code == 201, recorded.json()
    response = post_json(client, "/api/v1/usage/report", USAGE_REQUEST)
    assert response.status_code == 200, response.json()
    return parsed(response)


def test_the_usage_report(usage_report):
    assert mismatches(USAGE_RESPONSE, usage_report) == []
    assert usage_report["filters"] == {"region": "us-west-1", "service": "EC2"}
    assert [row["resource_id"] for row in usage_report["usage"]] == ["i-1234567890abcdef0"]
    assert number(usage_report["total_cost"]) == "0.50"
