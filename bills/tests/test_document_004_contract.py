"""Document 004 replayed: its own example requests (create, list, get, update,
cancel) against the service, and the keys and JSON types of its example
response checked against the service's answers."""

import json
import re
from decimal import Decimal

import pytest

from billing_site.testing import bearer_client, json_type
from bills.services import collection_create
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CODE = "W7collect"
# The document's example request of "Create Bill", as written there.
CREATE_BILL = """{
    "due": "2020-06-25",
    "ref1": "test multi currency",
    "ref2": "test multi currency",
    "currency": "MYR",
    "customer": {
        "acc_no": "911111111111",
        "first_name": "RAUDHAH",
        "last_name": "PAY",
        "address": "raudhahPay",
        "email": "team@raudhahpay.com",
        "mobile": "60123456789",
        "organization_id": 1
    },
    "product": [
        {
            "id": 1,
            "title": "product 1",
            "price": "10.00",
            "quantity": 10,
            "organization_id": 1
        },{
            "id": 2,
            "title": "product 2",
            "price": "5.00",
            "quantity": 1,
            "organization_id": 1
        }
    ]
}"""
# The document's example response, the same for each of its four operations.
BILL = """{
    "id": 2788,
    "bill_no": "W7uplQiU",
    "due": "2020-06-06",
    "status": 2,
    "recurring": null,
    "recurring_end_date": null,
    "collection_id": 101,
    "type": 2,
    "account_id": 100,
    "ref1": "example ref1",
    "ref2": "example ref2",
    "api_redirect": 1,
    "created_at": "2020-06-25 14:21:44",
    "created_by": null,
    "updated_at": "2020-06-25 14:21:44",
    "currency": "MYR",
    "quantity_label": null,
    "is_metric": 0,
    "master_bill": null,
    "rbill_date": null,
    "bill_url": "{SERVER_URL}/billing/bills/bill-payment?code=W7uplQiU",
    "payment_url": "{SERVER_URL}/payment/gateway/secure-pay?bill_no=W7uplQiU",
    "forward_payment_url": "{SERVER_URL}/payment/gateway/forward-to-payment-gateway?transactionRefId=CD__W7uplQiU__20200625142144",
    "total_amount": "134.00",
    "total_paid": "0.00",
    "balance": "134.00",
    "paid": false,
    "product_collections": [
        {
            "id": 3266,
            "bill_id": 2788,
            "product_id": 114,
            "created_at": "2020-06-25 14:21:44",
            "updated_at": "2020-06-25 14:21:44",
            "quantity": 10.0,
            "product": {
                "id": 114,
                "title": "example title",
                "description": "example descriptiobn",
                "code": "tst",
                "price": "10.00",
                "product_id": 113,
                "currency": null,
                "organization_id": 1,
                "created_at": "2019-09-23 05:58:23",
                "updated_at": "2019-09-23 05:58:23"
            }
        }
    ],
    "payments": []
}"""  # noqa: E501
# Where the example shows null for a value the service has: the example bill
# had no creating user (the service names the API user who created it), and
# its product no currency of its own (the service's products carry theirs).
NULL_IN_THE_EXAMPLE = {"created_by": "number", "product_collections.product.currency": "string"}
SERVER_URL = "http://testserver"


def shape(value, path: str = "") -> dict[str, str]:
    """Every key path in ``value`` with its JSON type; the first item stands for
    all of an array's items, each of which is checked when the answer is."""
    found = {path: json_type(value)}
    if isinstance(value, dict):
        for key, item in value.items():
            found |= shape(item, f"{path}.{key}".lstrip("."))
    elif isinstance(value, list) and value:
        found |= shape(value[0], path)
        found[path] = "array"
    return found


def read(text: str):
    return json.loads(text, parse_float=Decimal)


def assert_like_the_example(bill: dict):
    """``bill`` has the example's keys, each with the example's JSON type."""
    expected = shape(read(BILL)) | NULL_IN_THE_EXAMPLE
    for item in bill["product_collections"]:
        assert shape({**bill, "product_collections": [item]}) == expected
    assert shape(bill) == expected
    # the example's URLs, on this server, with this bill's number
    no = bill["bill_no"]
    assert bill["bill_url"] == f"{SERVER_URL}/billing/bills/bill-payment?code={no}"
    assert bill["payment_url"] == f"{SERVER_URL}/payment/gateway/secure-pay?bill_no={no}"
    assert re.fullmatch(
        re.escape(
            f"{SERVER_URL}/payment/gateway/forward-to-payment-gateway?transactionRefId=CD__{no}__"
        )
        + "[0-9]{14}",
        bill["forward_payment_url"],
    )


@pytest.fixture
def client():
    collection_create(code=CODE, title="Collection of the document")
    return bearer_client(
        UserFactory(
            perms=[
                "bills.view_bill",
                "bills.add_bill",
                "bills.change_bill",
                "api.use_bills",
                VIEW_ALL_CUSTOMERS,
            ]
        )
    )


HEADERS = {"HTTP_ACCEPT": "application/json", "content_type": "application/json"}


def test_create_bill(client):
    response = client.post(f"/api/collections/{CODE}/bills", CREATE_BILL, **HEADERS)
    assert response.status_code == 200
    bill = read(response.content)
    assert_like_the_example(bill)
    assert (bill["status"], bill["type"], bill["api_redirect"], bill["paid"]) == (2, 2, 1, False)
    assert (bill["total_amount"], bill["total_paid"], bill["balance"]) == (
        "105.00",
        "0.00",
        "105.00",
    )
    assert [item["quantity"] for item in bill["product_collections"]] == [
        Decimal("10.0"),
        Decimal("1.0"),
    ]


def test_get_bills_and_get_bill(client):
    created = read(client.post(f"/api/collections/{CODE}/bills", CREATE_BILL, **HEADERS).content)
    listed = client.get(f"/api/collections/{CODE}/bills", HTTP_ACCEPT="application/json")
    assert listed.status_code == 200
    page = read(listed.content)
    # The list is Laravel's page of bill objects, as the document's clients read it.
    assert list(page) == [
        "current_page",
        "data",
        "per_page",
        "total",
        "last_page",
        "next_page_url",
        "prev_page_url",
        "from",
        "to",
    ]
    assert [row["bill_no"] for row in page["data"]] == [created["bill_no"]]
    assert_like_the_example(page["data"][0])
    one = client.get(
        f"/api/collections/{CODE}/bills/{created['bill_no']}", HTTP_ACCEPT="application/json"
    )
    assert one.status_code == 200
    assert_like_the_example(read(one.content))
    assert read(one.content) == page["data"][0] == created


def test_update_bill_and_cancel_it(client):
    created = read(client.post(f"/api/collections/{CODE}/bills", CREATE_BILL, **HEADERS).content)
    path = f"/api/collections/{CODE}/bills/{created['bill_no']}"
    update = {
        "due": "2020-07-01",
        "ref1": "example ref1",
        "ref2": "example ref2",
        "currency": "MYR",
    }
    response = client.patch(path, json.dumps(update), **HEADERS)
    assert response.status_code == 200
    updated = read(response.content)
    assert_like_the_example(updated)
    assert {key: updated[key] for key in update} == update
    cancelled = client.patch(path, json.dumps({"cancel": True}), **HEADERS)
    assert cancelled.status_code == 200
    assert_like_the_example(read(cancelled.content))
    assert (read(cancelled.content)["status"], read(cancelled.content)["balance"]) == (5, "105.00")


@pytest.mark.parametrize(
    "include,added",
    [
        ("account", "account"),
        ("collection.organization", "collection"),
        ("product-collections.product", None),  # the example shows the products already
        ("payments.transaction", None),  # on each payment, and this bill has none yet
    ],
)
def test_the_documents_include_parameters(client, include, added):
    response = client.post(
        f"/api/collections/{CODE}/bills?include={include}", CREATE_BILL, **HEADERS
    )
    assert response.status_code == 200
    bill = read(response.content)
    if added:
        assert json_type(bill.pop(added)) == "object"
    assert_like_the_example(bill)


def test_the_collection_in_the_documents_paths(client):
    """The document names a bill's collection by ``{CODE}`` and ``collection_id``."""
    created = read(client.post(f"/api/collections/{CODE}/bills", CREATE_BILL, **HEADERS).content)
    staff = bearer_client(UserFactory(is_staff=True, is_superuser=True))
    collection = staff.get(f"/api/collections/{CODE}").json()
    assert (collection["code"], collection["id"]) == (CODE, created["collection_id"])
    assert client.get("/api/collections/nope/bills").json() == {
        "message": "Collection not found.",
        "errors": {},
    }
