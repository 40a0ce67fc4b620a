"""Document 000 replayed: its example requests, as it writes them, against the
service with the demo data (its sample record: customer "Ahmed Rahman" 73737373,
order 4499494, billing number 333333, 50000.00 IQD, "test", unpaid). Each answer
has the example response's keys, each of the example's JSON type."""

import json

import pytest
from rest_framework.test import APIClient

from payments import demo

from .shapes import json_type, parsed, typed_keys

pytestmark = pytest.mark.django_db

# The document's example body, spelled as it spells it: "orderId", numbers.
EXAMPLE_BODY = {"orderId": 4499494, "billingNumber": 333333}

# The sample record as the service the document describes answered it.
EXAMPLE_RECORD = {
    "billingNumber": 333333,
    "createdAt": "2026-01-01T00:00:00+00:00",
    "currency": "IQD",
    "customerAccountName": "Ahmed Rahman",
    "customerID": 73737373,
    "description": "test",
    "message": "successful",
    "orderID": 4499494,
    "paymentAmount": "50000.00",
    "paymentStatus": "unpaid",
    "success": "true",
}
REFERENCES = ("billingNumber", "orderID", "customerID")
EXAMPLE_ERROR = {"success": "false", "message": "Order ID and Billing Number are required"}


def send(client, method: str, path: str, body=None, token: str | None = None):
    """The request as the document's Postman steps make it: JSON body, Bearer token."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if body is None:
        response = getattr(client, method)(path, **headers)
    else:
        payload = json.dumps(body)
        response = getattr(client, method)(
            path, payload, content_type="application/json", **headers
        )
    return response.status_code, parsed(response)


def assert_example_shape(answer: dict, example: dict):
    assert typed_keys(answer) == typed_keys(example)


def sample_values(record: dict) -> dict:
    return {key: record[key] for key in EXAMPLE_RECORD if key not in ("createdAt", "message")}


@pytest.fixture
def client():
    demo.seed(out=lambda *args: None)
    return APIClient()


@pytest.fixture
def token(client):
    status, body = send(client, "post", "/login", {"username": "admin", "password": "password"})
    assert status == 200
    return body["access_token"]


def test_login(client):
    status, body = send(client, "post", "/login", {"username": "admin", "password": "password"})
    assert status == 200
    assert isinstance(body, dict)
    assert isinstance(body["access_token"], str) and body["access_token"]
    status, body = send(client, "post", "/login", {"username": "admin", "password": "wrong"})
    assert status == 401
    assert isinstance(body, dict)


def test_check_payment_status(client, token):
    status, record = send(client, "post", "/checkPaymentStatus", EXAMPLE_BODY, token)
    assert status == 200
    assert_example_shape(record, EXAMPLE_RECORD)
    assert sample_values(record) == sample_values(EXAMPLE_RECORD)
    assert record["message"] == "successful"


def test_update_payment_status(client, token):
    status, record = send(client, "post", "/updatePaymentStatus", EXAMPLE_BODY, token)
    assert status == 200
    assert_example_shape(record, EXAMPLE_RECORD)
    assert sample_values(record) == {**sample_values(EXAMPLE_RECORD), "paymentStatus": "paid"}
    assert record["message"] == "payment is successful"
    status, again = send(client, "post", "/updatePaymentStatus", EXAMPLE_BODY, token)
    assert (status, again) == (400, {"success": "false", "message": "payment is already paid"})
    status, checked = send(client, "post", "/checkPaymentStatus", EXAMPLE_BODY, token)
    assert (status, checked["paymentStatus"]) == (200, "paid")


def test_get_all_billing(client, token):
    status, records = send(client, "get", "/getAllBilling", token=token)
    assert status == 200
    assert isinstance(records, list) and records
    for record in records:
        # A reference that is no plain number ("INV-1001") is a string.
        assert typed_keys(record) == [
            (key, json_type(record[key]) if key in REFERENCES else kind)
            for key, kind in typed_keys(EXAMPLE_RECORD)
        ]
        assert {json_type(record[key]) for key in REFERENCES} <= {"number", "string"}
        assert record["message"] == "retrieved successfully"
    (sample,) = [record for record in records if record["billingNumber"] == 333333]
    assert_example_shape(sample, {**EXAMPLE_RECORD, "message": "retrieved successfully"})
    assert sample_values(sample) == sample_values(EXAMPLE_RECORD)


@pytest.mark.parametrize(
    "path, body, expected_status, message",
    [
        ("/checkPaymentStatus", {"billingNumber": 333333}, 400, EXAMPLE_ERROR["message"]),
        ("/updatePaymentStatus", {"orderId": 4499494}, 400, EXAMPLE_ERROR["message"]),
        (
            "/checkPaymentStatus",
            {"orderId": 4499494, "billingNumber": 1},
            404,
            "Order ID or Billing Number not found",
        ),
        (
            "/updatePaymentStatus",
            {"orderId": 1, "billingNumber": 333333},
            404,
            "Order ID or Billing Number not found",
        ),
    ],
)
def test_the_documented_errors(client, token, path, body, expected_status, message):
    status, answer = send(client, "post", path, body, token)
    assert status == expected_status
    assert_example_shape(answer, EXAMPLE_ERROR)
    assert answer == {"success": "false", "message": message}


@pytest.mark.parametrize(
    "method, path",
    [("post", "/checkPaymentStatus"), ("post", "/updatePaymentStatus"), ("get", "/getAllBilling")],
)
def test_every_endpoint_needs_the_token(client, method, path):
    status, answer = send(client, method, path, EXAMPLE_BODY if method == "post" else None)
    assert status == 401
    assert_example_shape(answer, EXAMPLE_ERROR)
