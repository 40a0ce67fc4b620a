"""The bill object carries every field of document 004 with real values."""

import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from billing_site.testing import bearer_client
from bills.models import Bill, Product
from bills.services import collection_create
from bills.tests.test_bills_api import DOCUMENT_BILL, PERMS, make_bill
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Every field of document 004's bill object and the JSON type it has there.
DOCUMENT_TYPES = {
    "id": int,
    "bill_no": str,
    "due": str,
    "status": int,
    "recurring": type(None),
    "recurring_end_date": type(None),
    "collection_id": int,
    "type": int,
    "account_id": int,
    "ref1": str,
    "ref2": str,
    "api_redirect": int,
    "created_at": str,
    "created_by": int,  # the document's is null: that bill had no creating user
    "updated_at": str,
    "currency": str,
    "quantity_label": type(None),
    "is_metric": int,
    "master_bill": type(None),
    "rbill_date": type(None),
    "bill_url": str,
    "payment_url": str,
    "forward_payment_url": str,
    "total_amount": str,
    "total_paid": str,
    "balance": str,
    "paid": bool,
    "product_collections": list,
    "payments": list,
}
PRODUCT_COLLECTION_TYPES = {
    "id": int,
    "bill_id": int,
    "product_id": int,
    "created_at": str,
    "updated_at": str,
    "quantity": Decimal,  # a JSON number, read exactly
    "product": dict,
}
PRODUCT_TYPES = {
    "id": int,
    "title": str,
    "description": str,
    "code": str,
    "price": str,
    "product_id": int,
    "currency": str,  # the document's is null: its product had no currency of its own
    "organization_id": int,
    "created_at": str,
    "updated_at": str,
}
# The fields whose values, not only types, the first test checks.
REAL_VALUES = {
    "recurring",
    "recurring_end_date",
    "collection_id",
    "type",
    "account_id",
    "api_redirect",
    "created_at",
    "created_by",
    "quantity_label",
    "is_metric",
    "master_bill",
    "rbill_date",
    "forward_payment_url",
}
TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")


@pytest.fixture
def user():
    return UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS])


@pytest.fixture
def client(user):
    return bearer_client(user)


@pytest.fixture
def collection():
    return collection_create(code="demo", title="Demo")


def exact(response) -> dict:
    """The body with its JSON numbers as Decimals (a float would hide 10.0 vs 10)."""
    return json.loads(response.content, parse_float=Decimal)


def assert_types(body: dict, types: dict):
    assert list(body) == list(types)
    for key, expected in types.items():
        value = body[key]
        assert type(value) is expected, (key, value)


def test_every_field_of_the_document_with_its_json_type(client, collection, user):
    response = client.post("/api/collections/demo/bills", DOCUMENT_BILL, format="json")
    assert response.status_code == 200
    body = exact(response)
    assert_types(body, DOCUMENT_TYPES)
    for item in body["product_collections"]:
        assert_types(item, PRODUCT_COLLECTION_TYPES)
        assert_types(item["product"], PRODUCT_TYPES)
    bill = Bill.objects.get(bill_no=body["bill_no"])
    created = timezone.localtime(bill.created_at)
    assert {key: body[key] for key in REAL_VALUES} == {
        "recurring": None,
        "recurring_end_date": None,
        "collection_id": collection.pk,
        "type": 2,
        "account_id": bill.invoice.customer_id,
        "api_redirect": 1,
        "created_at": created.strftime("%Y-%m-%d %H:%M:%S"),
        "created_by": user.pk,
        "quantity_label": None,
        "is_metric": 0,
        "master_bill": None,
        "rbill_date": None,
        "forward_payment_url": (
            "http://testserver/payment/gateway/forward-to-payment-gateway"
            f"?transactionRefId=CD__{bill.bill_no}__{created:%Y%m%d%H%M%S}"
        ),
    }
    assert TIME.fullmatch(body["updated_at"])
    first, second = body["product_collections"]
    assert (first["quantity"], second["quantity"]) == (Decimal("10.0"), Decimal("1.0"))
    assert b'"quantity":10.0,' in response.content
    # The item's id and organization_id, as the client sent them, are the product's.
    assert [
        (item["product"]["product_id"], item["product"]["organization_id"])
        for item in body["product_collections"]
    ] == [(1, 1), (2, 1)]
    assert first["product_id"] == first["product"]["id"]


def test_measured_quantities_make_a_metric_bill_with_its_label(client, collection):
    body = {
        **DOCUMENT_BILL,
        "quantity_label": "kWh",
        "product": [{"title": "power", "price": "0.50", "quantity": "2.5"}],
    }
    response = client.post("/api/collections/demo/bills", body, format="json")
    assert response.status_code == 200
    created = exact(response)
    assert (created["is_metric"], created["quantity_label"], created["total_amount"]) == (
        1,
        "kWh",
        "1.25",
    )
    assert created["product_collections"][0]["quantity"] == Decimal("2.5")
    product = created["product_collections"][0]["product"]
    assert (product["product_id"], product["organization_id"]) == (None, None)
    page = client.get(created["bill_url"])
    assert b"Quantity (kWh)" in page.content


def test_a_bill_raised_by_an_operator(client, collection):
    bill = make_bill(collection)  # as the demo data raises one
    body = exact(client.get(f"/api/collections/demo/bills/{bill.bill_no}"))
    assert (body["type"], body["api_redirect"], body["created_by"]) == (1, 0, None)


def test_a_product_is_the_same_only_with_the_same_client_references(client, collection):
    for _ in range(2):
        client.post("/api/collections/demo/bills", DOCUMENT_BILL, format="json")
    assert Product.objects.count() == 2
    other = {
        **DOCUMENT_BILL,
        "product": [{**DOCUMENT_BILL["product"][0], "id": 7, "organization_id": 9}],
    }
    body = exact(client.post("/api/collections/demo/bills", other, format="json"))
    product = body["product_collections"][0]["product"]
    assert (product["product_id"], product["organization_id"]) == (7, 9)
    assert Product.objects.count() == 3


def test_amounts_keep_the_currencys_places_and_quantities_are_exact(client, collection):
    body = {
        **DOCUMENT_BILL,
        "currency": "IQD",
        "product": [{"title": "x", "price": "1.005", "quantity": "1234567.125"}],
    }
    response = client.post("/api/collections/demo/bills", body, format="json")
    created = exact(response)
    assert created["product_collections"][0]["quantity"] == Decimal("1234567.125")
    assert b'"quantity":1234567.125,' in response.content
    assert created["product_collections"][0]["product"]["price"] == "1.005"
    assert created["total_amount"] == "1240739.961"  # 1234567.125 * 1.005, half up
