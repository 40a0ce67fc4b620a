"""``BillingRecordSerializer`` is the one declaration of the gateway's record:
its fast rendering is DRF's, and the schema and the answers follow it."""

import datetime
from decimal import Decimal

import jsonschema
import pytest
import yaml
from rest_framework import serializers

from invoices.tests.factories import InvoiceFactory
from payments.gateway.serializers import (
    CHECKED,
    BillingRecordSerializer,
    BillingReferenceSerializer,
    billing_record,
    given_reference,
)

from .shapes import parsed

pytestmark = pytest.mark.django_db

DECLARED = list(BillingRecordSerializer().fields)

ROWS = [
    {
        "pk": 1,
        "order_id": "4499494",
        "number": "333333",
        "total": Decimal("50000.0000"),
        "amount_paid": Decimal("0.0000"),
        "amount_credited": Decimal("0.0000"),
        "currency": "IQD",
        "description": "test",
        "status": "open",
        "created_at": datetime.datetime(2026, 1, 31, 9, 30, 5, 123456, tzinfo=datetime.UTC),
        "customer__name": "Ahmed Rahman",
        "customer__account_number": "73737373",
    },
    {
        "pk": 2,
        "order_id": "ORD-7",
        "number": "0042",
        "total": Decimal("110.0000"),
        "amount_paid": Decimal("10.0100"),
        "amount_credited": Decimal("0.0000"),
        "currency": "USD",
        "description": "",
        "status": "open",
        "created_at": datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC),
        "customer__name": 'Zoë "Z"',
        "customer__account_number": "A-1",
    },
    {
        "pk": 3,
        "order_id": "INV-000003",
        "number": "INV-000003",
        "total": Decimal("0.5000"),
        "amount_paid": Decimal("0.5000"),
        "amount_credited": Decimal("0.0000"),
        "currency": "KWD",
        "description": "paid",
        "status": "paid",
        "created_at": datetime.datetime(2026, 3, 1, 23, 59, 59, tzinfo=datetime.UTC),
        "customer__name": "N",
        "customer__account_number": "18446744073709551617",
    },
]


@pytest.mark.parametrize("row", ROWS, ids=["plain", "partly-paid", "paid"])
def test_the_fast_rendering_is_drfs_own(row):
    record = {**row, "message": CHECKED}
    serializer = BillingRecordSerializer()
    fast = serializer.to_representation(record)
    assert fast == serializers.Serializer.to_representation(serializer, record)
    assert list(fast) == DECLARED
    assert fast == billing_record(row, CHECKED)


def test_the_declared_record_reads_as_existing_clients_received_it():
    assert [billing_record(row, CHECKED) for row in ROWS] == [
        {
            "billingNumber": 333333,
            "createdAt": "2026-01-31T09:30:05+00:00",
            "currency": "IQD",
            "customerAccountName": "Ahmed Rahman",
            "customerID": 73737373,
            "description": "test",
            "message": "successful",
            "orderID": 4499494,
            "paymentAmount": "50000.00",
            "paymentStatus": "unpaid",
            "success": "true",
        },
        {
            "billingNumber": "0042",
            "createdAt": "2026-02-01T00:00:00+00:00",
            "currency": "USD",
            "customerAccountName": 'Zoë "Z"',
            "customerID": "A-1",
            "description": "",
            "message": "successful",
            "orderID": "ORD-7",
            "paymentAmount": "99.99",
            "paymentStatus": "unpaid",
            "success": "true",
        },
        {
            "billingNumber": "INV-000003",
            "createdAt": "2026-03-01T23:59:59+00:00",
            "currency": "KWD",
            "customerAccountName": "N",
            "customerID": 18446744073709551617,
            "description": "paid",
            "message": "successful",
            "orderID": "INV-000003",
            "paymentAmount": "0.50",
            "paymentStatus": "paid",
            "success": "true",
        },
    ]


def _schema(api_client) -> dict:
    return yaml.safe_load(api_client.get("/api/schema/").content)


def test_the_schema_is_the_declared_record(api_client):
    schema = _schema(api_client)
    component = schema["components"]["schemas"]["BillingRecord"]
    assert list(component["properties"]) == DECLARED
    assert component["required"] == DECLARED
    operations = schema["paths"]
    for path in ("/checkPaymentStatus", "/updatePaymentStatus"):
        answer = operations[path]["post"]["responses"]["200"]["content"]["application/json"]
        assert answer["schema"] == {"$ref": "#/components/schemas/BillingRecord"}
    listed = operations["/getAllBilling"]["get"]["responses"]["200"]["content"]
    assert listed["application/json"]["schema"]["items"] == {
        "$ref": "#/components/schemas/BillingRecord"
    }


def test_every_answer_is_valid_against_the_declared_schema(api_client, gateway_client):
    schema = _schema(api_client)
    record_schema = {"$ref": "#/components/schemas/BillingRecord", **schema}
    unpaid = InvoiceFactory(number="333333", order_id="4499494", amount=Decimal("50000"))
    InvoiceFactory(number="INV-7", order_id="", amount=Decimal("12.345"), currency="KWD")
    reference = {"orderID": unpaid.order_id, "billingNumber": unpaid.number}
    answers = [
        parsed(gateway_client.post("/checkPaymentStatus", reference, format="json")),
        parsed(gateway_client.post("/updatePaymentStatus", reference, format="json")),
        *parsed(gateway_client.get("/getAllBilling")),
    ]
    assert len(answers) == 4
    for answer in answers:
        jsonschema.validate(answer, record_schema)
        assert list(answer) == DECLARED
    assert [answer["message"] for answer in answers] == [
        "successful",
        "payment is successful",
        "retrieved successfully",
        "retrieved successfully",
    ]


# Bodies a client may send: the fast path must answer exactly as the serializer
# does, or leave the body to it.
REFERENCE_BODIES = [
    {"orderID": 4499494, "billingNumber": 333333},
    {"orderId": 4499494, "billingNumber": "333333"},
    {"orderID": "ORD-7", "orderId": "ORD-8", "billingNumber": " 0042 "},
    {"orderID": 0, "orderId": 5, "billingNumber": 1},
    {"orderID": "", "orderId": "5", "billingNumber": "1"},
    {"orderID": 5, "orderId": None, "billingNumber": "1"},
    {"orderID": 5, "orderId": "bad\x00", "billingNumber": "1"},
    {"orderID": 5, "billingNumber": "x" * 64},
    {"orderID": 5, "billingNumber": "x" * 65},
    {"orderID": 5, "billingNumber": " " * 3},
    {"orderID": 10**64 - 1, "billingNumber": 1},
    {"orderID": 10**64, "billingNumber": 1},
    {"orderID": -1, "billingNumber": 1},
    {"orderID": True, "billingNumber": 1},
    {"orderID": 5.0, "billingNumber": 1},
    {"orderID": Decimal("5"), "billingNumber": 1},
    {"orderID": "\u0661", "billingNumber": 1},
    {"orderID": "Ωmega", "billingNumber": 1},
    {"orderID": "tab\there", "billingNumber": 1},
    {"orderID": [5], "billingNumber": 1},
    {"orderID": 5},
    {"billingNumber": 5},
    {"orderID": 5, "billingNumber": 1, "other": {"nested": True}},
    {},
    [],
    "text",
    None,
]


@pytest.mark.parametrize("body", REFERENCE_BODIES)
def test_the_fast_reference_answers_as_the_serializer(body):
    serializer = BillingReferenceSerializer(data=body)
    fast = given_reference(body)
    if fast is not None:
        assert serializer.is_valid(), serializer.errors
        assert fast == serializer.validated_data
    # Else the serializer answers (the view falls back to it): every body it
    # refuses, and the few it takes that the fast path leaves to it.
    taken = {0, 1, 2, 7, 10, 22}
    assert (fast is not None) == (REFERENCE_BODIES.index(body) in taken)


def test_the_fast_reference_takes_the_usual_bodies():
    assert given_reference({"orderID": 10000001, "billingNumber": "BENCH-0000001"}) == {
        "order_id": "10000001",
        "number": "BENCH-0000001",
    }
    assert given_reference({"orderId": 7, "billingNumber": 333333}) == {
        "order_id": "7",
        "number": "333333",
    }
