import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection

from billing_site.testing import bearer_client
from bills.models import Bill, Product
from bills.services import bill_create, collection_create
from invoices.models import VIEW_ALL_CUSTOMERS, Customer, Invoice
from invoices.tests.factories import UserFactory
from payments.services import payment_record

pytestmark = pytest.mark.django_db

PERMS = [
    "bills.view_bill",
    "bills.add_bill",
    "bills.change_bill",
    "bills.view_collection",
    "bills.add_collection",
    "api.use_bills",
]
DOCUMENT_BILL = {
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
        "organization_id": 1,
    },
    "product": [
        {"id": 1, "title": "product 1", "price": "10.00", "quantity": 10, "organization_id": 1},
        {"id": 2, "title": "product 2", "price": "5.00", "quantity": 1, "organization_id": 1},
    ],
}


@pytest.fixture
def client():
    return bearer_client(UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS]))


@pytest.fixture
def collection():
    return collection_create(code="demo", title="Demo", organization_name="Demo Org")


def make_bill(collection, **changes):
    data = {**DOCUMENT_BILL, **changes}
    return bill_create(
        collection=collection,
        due=datetime.date.fromisoformat(data["due"]),
        ref1=data["ref1"],
        ref2=data["ref2"],
        currency=data["currency"],
        customer=data["customer"],
        products=[
            {**item, "price": Decimal(item["price"]), "quantity": Decimal(item["quantity"])}
            for item in data["product"]
        ],
    )


def test_collections(client):
    created = client.post(
        "/api/collections/", {"code": "fees-2026", "title": "Fees"}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["code"] == "fees-2026"
    assert "callback_secret" not in created.json()
    assert client.get("/api/collections/fees-2026").json()["title"] == "Fees"
    listed = client.get("/api/collections").json()
    assert (listed["total"], [row["code"] for row in listed["data"]]) == (1, ["fees-2026"])
    again = client.post("/api/collections/", {"code": "fees-2026", "title": "x"}, format="json")
    assert (again.status_code, list(again.json()["errors"])) == (422, ["code"])
    assert client.get("/api/collections/nope/").status_code == 404
    assert client.get("/api/collections/?colour=red").status_code == 400


def test_create_the_documents_bill(client, collection):
    response = client.post("/api/collections/demo/bills", DOCUMENT_BILL, format="json")
    assert response.status_code == 200
    body = response.json()
    bill = Bill.objects.get(bill_no=body["bill_no"])
    assert len(body["bill_no"]) == 8 and body["bill_no"].isalnum()
    assert (body["due"], body["status"], body["currency"], body["collection_id"]) == (
        "2020-06-25",
        2,
        "MYR",
        collection.pk,
    )
    assert (body["total_amount"], body["total_paid"], body["balance"], body["paid"]) == (
        "105.00",
        "0.00",
        "105.00",
        False,
    )
    assert body["bill_url"] == f"http://testserver/billing/bills/bill-payment?code={bill.bill_no}"
    assert body["payment_url"] == (
        f"http://testserver/payment/gateway/secure-pay?bill_no={bill.bill_no}"
    )
    assert [
        (item["quantity"], item["product"]["title"], item["product"]["price"])
        for item in json.loads(response.content, parse_float=Decimal)["product_collections"]
    ] == [(Decimal("10.0"), "product 1", "10.00"), (Decimal("1.0"), "product 2", "5.00")]
    assert b'"quantity":10.0,' in response.content
    assert body["product_collections"][0]["bill_id"] == bill.pk
    assert body["payments"] == []
    assert body["created_at"][:4].isdigit() and "T" not in body["created_at"]
    # The bill is an invoice of the ledger, with the customer of acc_no.
    invoice = bill.invoice
    assert (invoice.status, invoice.total, invoice.currency) == ("open", Decimal("105.00"), "MYR")
    assert Customer.objects.get(account_number="911111111111").name == "RAUDHAH PAY"
    again = client.post("/api/collections/demo/bills", DOCUMENT_BILL, format="json").json()
    assert again["bill_no"] != body["bill_no"]
    assert Product.objects.count() == 2  # products reused
    assert Customer.objects.count() == 1


def test_bills_appear_in_the_other_faces(client, collection):
    bill = make_bill(collection)
    staff = bearer_client(UserFactory(is_staff=True, is_superuser=True))
    records = b"".join(staff.get("/getAllBilling").streaming_content)
    assert bill.invoice.number.encode() in records
    assert b'"total":105.00,' in staff.get(f"/api/v1/invoices/{bill.invoice_id}/").content


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"due": "2020-02-30"}, "due"),
        ({"currency": "XYZ"}, "currency"),
        ({"ref1": ""}, "ref1"),
        ({"customer": {"first_name": "x"}}, "customer.acc_no"),
        ({"product": []}, "product"),
        ({"product": [{"title": "x", "price": "1.001", "quantity": 1}]}, "product.0.price"),
        ({"product": [{"title": "x", "price": "1", "quantity": 0}]}, "product.0.quantity"),
        ({"customer": {"acc_no": "1", "email": "nope"}}, "customer.email"),
    ],
)
def test_invalid_bills_are_422_with_errors_per_dotted_field(client, collection, changes, field):
    response = client.post(
        "/api/collections/demo/bills", {**DOCUMENT_BILL, **changes}, format="json"
    )
    assert response.status_code == 422
    body = response.json()
    assert list(body["errors"]) == [field] and body["message"]
    assert all(isinstance(message, str) for message in body["errors"][field])
    assert not Bill.objects.exists() and not Invoice.objects.exists()


def test_missing_fields_are_all_named(client, collection):
    response = client.post("/api/collections/demo/bills", {}, format="json")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {
        "due",
        "ref1",
        "ref2",
        "currency",
        "customer",
        "product",
    }


def test_list_is_paginated_and_filtered(client, collection):
    bills = [make_bill(collection, ref1=f"R{index}") for index in range(3)]
    payment_record(invoice_id=bills[0].invoice_id, amount=Decimal("105.00"), method="cash")
    payment_record(invoice_id=bills[1].invoice_id, amount=Decimal("5.00"), method="cash")
    body = client.get("/api/collections/demo/bills?per_page=2").json()
    assert {
        key: body[key] for key in ("current_page", "per_page", "total", "last_page", "from", "to")
    } == {"current_page": 1, "per_page": 2, "total": 3, "last_page": 2, "from": 1, "to": 2}
    assert body["next_page_url"].endswith("page=2&per_page=2")
    assert body["prev_page_url"] is None

    def numbers(query):
        response = client.get(f"/api/collections/demo/bills{query}")
        assert response.status_code == 200, response.json()
        return {row["bill_no"] for row in response.json()["data"]}

    assert numbers("?paid=true") == {bills[0].bill_no}
    assert numbers("?paid=false") == {bills[1].bill_no, bills[2].bill_no}
    assert numbers("?status=partially_paid") == {bills[1].bill_no}
    assert numbers("?status=3") == {bills[1].bill_no}
    assert numbers("?ref1=R2") == {bills[2].bill_no}
    assert numbers("?due_from=2020-06-25&due_to=2020-06-25") == {b.bill_no for b in bills}
    assert numbers("?due_from=2020-06-26") == set()


@pytest.mark.parametrize(
    "query",
    [
        "?include=nope",
        "?include=account,payments",
        "?status=x",
        "?paid=maybe",
        "?due_from=soon",
        "?colour=red",
        "?per_page=0",
    ],
)
def test_bad_queries_are_400(client, collection, query):
    make_bill(collection)
    response = client.get(f"/api/collections/demo/bills{query}")
    assert response.status_code == 400
    assert response.json()["message"]


def test_includes_expand_and_queries_stay_constant(client, collection, django_assert_num_queries):
    bill = make_bill(collection)
    payment_record(
        invoice_id=bill.invoice_id,
        amount=Decimal("5.00"),
        method="gateway",
        provider="psp",
        provider_reference="ref-1",
    )
    everything = ",".join(
        [
            "account",
            "collection.organization",
            "product-collections.product",
            "payments.transaction",
        ]
    )
    body = client.get(f"/api/collections/demo/bills/{bill.bill_no}?include={everything}").json()
    assert body["account"]["acc_no"] == "911111111111"
    assert body["collection"] == {
        "id": collection.pk,
        "code": "demo",
        "title": "Demo",
        "organization": {"name": "Demo Org"},
    }
    assert body["payments"][0]["transaction"]["ref_id"] == "ref-1"
    make_bill(collection)
    # user, permissions, collection, count, page, product collections with
    # their products, payments, log row
    with django_assert_num_queries(8):
        few = client.get(f"/api/collections/demo/bills?include={everything}")
    for _ in range(5):
        make_bill(collection)
    with django_assert_num_queries(8):
        many = client.get(f"/api/collections/demo/bills?include={everything}")
    assert (len(few.json()["data"]), len(many.json()["data"])) == (2, 7)


def test_a_bill_is_only_found_through_its_collection(client, collection):
    bill = make_bill(collection)
    collection_create(code="other", title="Other")
    assert client.get(f"/api/collections/demo/bills/{bill.bill_no}").status_code == 200
    response = client.get(f"/api/collections/other/bills/{bill.bill_no}")
    assert response.status_code == 404
    assert response.json() == {"message": "Bill not found.", "errors": {}}
    assert client.get("/api/collections/nope/bills").status_code == 404


def test_update_terms_and_cancel(client, collection):
    bill = make_bill(collection)
    url = f"/api/collections/demo/bills/{bill.bill_no}"
    response = client.patch(
        url, {"due": "2020-07-01", "ref1": "new", "currency": "JPY"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["due"], body["ref1"], body["ref2"], body["currency"], body["total_amount"]) == (
        "2020-07-01",
        "new",
        "test multi currency",
        "JPY",
        "105",
    )
    cancelled = client.patch(url, {"cancel": True}, format="json")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, 5)
    assert Invoice.objects.get(pk=bill.invoice_id).status == "void"


def test_a_paid_or_partly_paid_bill_cannot_be_cancelled_or_change_currency(client, collection):
    bill = make_bill(collection)
    payment_record(invoice_id=bill.invoice_id, amount=Decimal("1.00"), method="cash")
    url = f"/api/collections/demo/bills/{bill.bill_no}"
    refused = client.patch(url, {"cancel": True}, format="json")
    assert refused.status_code == 409
    assert refused.json() == {
        "message": f"Bill {bill.bill_no} is paid or partly paid and cannot be cancelled.",
        "errors": {},
    }
    assert client.patch(url, {"currency": "USD"}, format="json").status_code == 409
    assert client.patch(url, {"ref2": "still fine"}, format="json").status_code == 200
    assert Invoice.objects.get(pk=bill.invoice_id).status == "open"


@pytest.mark.parametrize("body", [{"due": "x"}, {"cancel": "perhaps"}, {"currency": "XX"}])
def test_bad_updates_are_422(client, collection, body):
    bill = make_bill(collection)
    response = client.patch(f"/api/collections/demo/bills/{bill.bill_no}", body, format="json")
    assert response.status_code == 422


def test_an_empty_update_changes_nothing(client, collection):
    bill = make_bill(collection)
    url = f"/api/collections/demo/bills/{bill.bill_no}"
    before = client.get(url).json()
    response = client.patch(url, {}, format="json")
    assert response.status_code == 200
    assert {key: value for key, value in response.json().items() if key != "updated_at"} == {
        key: value for key, value in before.items() if key != "updated_at"
    }


def test_auth_permissions_and_customer_isolation(api_client, collection):
    bill = make_bill(collection)
    response = api_client.get("/api/collections/demo/bills")
    assert response.status_code == 401
    assert set(response.json()) == {"message", "errors"}
    assert bearer_client(UserFactory()).get("/api/collections/demo/bills").status_code == 403
    linked = UserFactory(perms=PERMS)
    Customer.objects.create(name="Other", account_number="X1").users.add(linked)
    client = bearer_client(linked)
    assert client.get("/api/collections/demo/bills").json()["total"] == 0
    assert client.get(f"/api/collections/demo/bills/{bill.bill_no}").status_code == 404


def test_a_user_acting_for_a_customer_bills_only_that_customer(collection):
    from invoices.tests.factories import CustomerFactory

    mine = CustomerFactory(account_number="MINE-1")
    CustomerFactory(account_number="911111111111")
    user = UserFactory(perms=PERMS)
    mine.users.add(user)
    client = bearer_client(user)
    for acc_no in ("911111111111", "BRAND-NEW"):
        body = {**DOCUMENT_BILL, "customer": {**DOCUMENT_BILL["customer"], "acc_no": acc_no}}
        response = client.post("/api/collections/demo/bills", body, format="json")
        assert response.status_code == 422, acc_no
        assert "of yours" in response.json()["message"]
    assert not Bill.objects.exists() and not Invoice.objects.exists()
    assert not Customer.objects.filter(account_number="BRAND-NEW").exists()
    body = {**DOCUMENT_BILL, "customer": {**DOCUMENT_BILL["customer"], "acc_no": "MINE-1"}}
    assert client.post("/api/collections/demo/bills", body, format="json").status_code == 200


def test_a_bill_with_a_total_too_large_is_refused(client, collection):
    body = {
        **DOCUMENT_BILL,
        "product": [{"title": "x", "price": "999999999999999", "quantity": 1000}],
    }
    response = client.post("/api/collections/demo/bills", body, format="json")
    assert 400 <= response.status_code < 500
    assert not Bill.objects.exists() and not Invoice.objects.exists()


def test_a_currency_that_would_round_prices_is_refused(client, collection):
    bill = make_bill(collection, product=[{"title": "x", "price": "10.55", "quantity": 1}])
    response = client.patch(
        f"/api/collections/demo/bills/{bill.bill_no}", {"currency": "JPY"}, format="json"
    )
    assert response.status_code == 409
    assert Invoice.objects.get(pk=bill.invoice_id).total == Decimal("10.55")


@pytest.mark.skipif(connection.vendor != "mysql", reason="races need MariaDB's concurrency")
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_bills_of_a_new_account_and_invoice_numbers_never_500():
    import threading

    from django.db import connections

    collection_create(code="demo", title="Demo")
    user = UserFactory(is_staff=True, is_superuser=True)
    customer = {**DOCUMENT_BILL["customer"], "acc_no": "NEWACC-77"}
    barrier, statuses = threading.Barrier(16), []

    def one(index):
        client = bearer_client(user)
        barrier.wait()
        try:
            if index % 2:
                response = client.post(
                    "/api/collections/demo/bills",
                    {**DOCUMENT_BILL, "customer": customer},
                    format="json",
                )
            else:
                response = client.post(
                    "/api/v1/invoices/",
                    {
                        "customer_id": Customer.objects.get(account_number="SEED").pk,
                        "amount": "1",
                        "date": "2023-01-01",
                        "due_date": "2023-01-02",
                        "number": "RACE-1",
                    },
                    format="json",
                )
            statuses.append((index % 2, response.status_code))
        finally:
            connections.close_all()

    Customer.objects.create(name="Seed", account_number="SEED")
    threads = [threading.Thread(target=one, args=(index,)) for index in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bills = [status for kind, status in statuses if kind == 1]
    invoices = [status for kind, status in statuses if kind == 0]
    assert bills == [200] * 8
    assert Customer.objects.filter(account_number="NEWACC-77").count() == 1
    assert sorted(invoices)[0] == 201 and set(invoices[1:]) <= {201, 400, 409}
    assert invoices.count(201) == 1


def test_the_collection_list_is_a_page_in_constant_queries(client, django_assert_num_queries):
    def page():
        # user, permissions, count, page, log row
        with django_assert_num_queries(5):
            response = client.get("/api/collections?per_page=3")
        assert response.status_code == 200
        return response.json()

    collection_create(code="a0", title="A")
    assert client.get("/api/collections").status_code == 200  # the token's check, cached
    assert ([row["code"] for row in page()["data"]], page()["last_page"]) == (["a0"], 1)
    for index in range(1, 5):
        collection_create(code=f"a{index}", title="A")
    body = page()
    assert [row["code"] for row in body["data"]] == ["a0", "a1", "a2"]
    assert (body["total"], body["last_page"], body["from"], body["to"]) == (5, 2, 1, 3)
    assert body["next_page_url"].endswith("page=2&per_page=3")
