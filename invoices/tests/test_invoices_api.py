import json
from decimal import Decimal

import pytest

from billing_site.testing import bearer_client
from invoices.models import VIEW_ALL_CUSTOMERS, Invoice, InvoiceLine
from invoices.tests.factories import CustomerFactory, InvoiceFactory, UserFactory
from payments.services import payment_record

pytestmark = pytest.mark.django_db

INVOICE_PERMS = [
    "invoices.view_invoice",
    "invoices.add_invoice",
    "invoices.change_invoice",
    "invoices.delete_invoice",
]


@pytest.fixture
def clerk():
    return UserFactory(perms=[*INVOICE_PERMS, VIEW_ALL_CUSTOMERS])


@pytest.fixture
def client(clerk):
    return bearer_client(clerk)


@pytest.fixture
def customer():
    return CustomerFactory(
        name="John Doe",
        email="john.doe@example.com",
        street="123 Main St",
        city="Anytown",
        state="CA",
        zip="12345",
        country="US",
    )


def create_draft(client, customer) -> dict:
    """A draft invoice of 10.00 made through the API."""
    body = {
        "customer_id": customer.pk,
        "amount": "10.00",
        "date": "2023-03-01",
        "due_date": "2023-03-31",
    }
    return client.post("/api/v1/invoices/", body, format="json").json()


def test_create_from_the_documents_four_fields(client, customer):
    response = client.post(
        "/api/v1/invoices/",
        {
            "customer_id": customer.pk,
            "amount": 100.0,
            "date": "2023-03-01",
            "due_date": "2023-03-31",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["customer_id"] == customer.pk
    assert (body["amount"], body["total"], body["subtotal"], body["tax"]) == (
        "100.00",
        "100.00",
        "100.00",
        "0.00",
    )
    assert (body["date"], body["due_date"], body["status"]) == ("2023-03-01", "2023-03-31", "draft")
    assert body["number"].startswith("INV-")
    assert body["line_items"] == [
        {
            "id": body["line_items"][0]["id"],
            "description": "Invoice amount",
            "quantity": "1.000",
            "price": "100.00",
            "tax_rate": "0.0000",
            "subtotal": "100.00",
            "tax": "0.00",
            "total": "100.00",
        }
    ]
    assert body["customer"] == {
        "id": customer.pk,
        "name": "John Doe",
        "email": "john.doe@example.com",
        "account_number": customer.account_number,
        "tax_number": "",
        "address": {
            "street": "123 Main St",
            "city": "Anytown",
            "state": "CA",
            "zip": "12345",
            "country": "US",
        },
    }
    assert body["payment"] is None and body["payments"] == []
    assert Invoice.objects.get(pk=body["id"]).total == Decimal("100.00")


def test_create_with_line_items_and_tax_like_the_long_sample(client, customer):
    response = client.post(
        "/api/v1/invoices",
        {
            "customer_id": customer.pk,
            "date": "2022-02-28",
            "due_date": "2022-03-14",
            "currency": "USD",
            "status": "open",
            "number": "123456",
            "line_items": [
                {"description": "Product 1", "quantity": 2, "price": "50.00", "tax_rate": "10"}
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["subtotal"], body["tax"], body["total"], body["balance"]) == (
        "100.00",
        "10.00",
        "110.00",
        "110.00",
    )
    assert body["status"] == "open"
    assert body["issued_at"] is not None
    assert body["line_items"][0]["subtotal"] == "100.00"


def test_amounts_follow_the_currency_precision(client, customer):
    response = client.post(
        "/api/v1/invoices/",
        {
            "customer_id": customer.pk,
            "date": "2023-03-01",
            "due_date": "2023-03-31",
            "currency": "JPY",
            "line_items": [{"description": "x", "quantity": "3", "price": "333", "tax_rate": "10"}],
        },
        format="json",
    )
    assert (response.json()["tax"], response.json()["total"]) == ("100", "1099")
    response = client.post(
        "/api/v1/invoices/",
        {
            "customer_id": customer.pk,
            "date": "2023-03-01",
            "due_date": "2023-03-31",
            "currency": "IQD",
            "amount": "1.235",
        },
        format="json",
    )
    assert response.json()["total"] == "1.235"


def test_missing_fields_are_each_named(client):
    response = client.post("/api/v1/invoices/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"customer_id", "amount", "date", "due_date"}


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"customer_id": "abc"}, "customer_id"),
        ({"customer_id": 999999}, "customer_id"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": [1]}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"date": "2023-02-30"}, "date"),
        ({"date": "yesterday"}, "date"),
        ({"due_date": "2023-02-01"}, "due_date"),
        ({"currency": "XYZ"}, "currency"),
        ({"line_items": []}, "line_items"),
        ({"line_items": [{"description": "x", "price": "1.001"}]}, "line_items"),
        ({"line_items": [{"price": "1"}]}, "line_items"),
        ({"line_items": [{"description": "x", "price": "1", "quantity": "-1"}]}, "line_items"),
        ({"line_items": [{"description": "x", "price": "1", "tax_rate": "101"}]}, "line_items"),
        ({"number": "x" * 65}, "number"),
        ({"status": "paid"}, "status"),
    ],
)
def test_invalid_fields_are_400_naming_the_field(client, customer, changes, field):
    payload = {
        "customer_id": customer.pk,
        "amount": "10.00",
        "date": "2023-03-01",
        "due_date": "2023-03-31",
        **changes,
    }
    response = client.post("/api/v1/invoices/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Invoice.objects.exists()


def test_amount_must_match_line_items(client, customer):
    response = client.post(
        "/api/v1/invoices/",
        {
            "customer_id": customer.pk,
            "amount": "12.00",
            "date": "2023-03-01",
            "due_date": "2023-03-31",
            "line_items": [{"description": "x", "price": "10.00"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "line items' total" in response.json()["detail"]


@pytest.mark.parametrize("body", ['{"customer_id": 1,', "[]", "null", '"x"'])
def test_malformed_json_is_400(client, body):
    response = client.post("/api/v1/invoices/", body, content_type="application/json")
    assert response.status_code == 400


def test_a_duplicate_number_is_400(client, customer):
    InvoiceFactory(number="DUP-1")
    response = client.post(
        "/api/v1/invoices/",
        {
            "customer_id": customer.pk,
            "amount": "1",
            "date": "2023-03-01",
            "due_date": "2023-03-31",
            "number": "DUP-1",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "number" in response.json()


def test_get_one_and_unknown_ids(client):
    invoice = InvoiceFactory()
    assert client.get(f"/api/v1/invoices/{invoice.pk}").json()["number"] == invoice.number
    assert client.get(f"/api/v1/invoices/{invoice.pk}/").status_code == 200
    assert client.get("/api/v1/invoices/999999/").status_code == 404
    assert client.get("/api/v1/invoices/abc/").status_code == 404


def test_status_reads_partially_paid_and_payment_is_the_latest(client):
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    payment_record(
        invoice_id=invoice.pk,
        amount=Decimal("30.00"),
        method="card",
        card_brand="Visa",
        card_last4="1234",
        card_exp_month=12,
        card_exp_year=2030,
    )
    payment_record(invoice_id=invoice.pk, amount=Decimal("20.00"), method="cash")
    body = client.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert (body["status"], body["amount_paid"], body["balance"]) == (
        "partially_paid",
        "50.00",
        "50.00",
    )
    assert [p["amount"] for p in body["payments"]] == ["30.00", "20.00"]
    assert body["payments"][0]["card"] == {
        "type": "Visa",
        "last4": "1234",
        "exp_month": 12,
        "exp_year": 2030,
    }
    assert body["payment"]["amount"] == "20.00"
    assert body["payment"]["card"] is None


def test_edit_and_delete_a_draft(client, customer):
    created = create_draft(client, customer)
    url = f"/api/v1/invoices/{created['id']}/"
    patched = client.patch(url, {"due_date": "2023-04-30", "description": "Changed"}, format="json")
    assert patched.status_code == 200
    assert (patched.json()["due_date"], patched.json()["total"]) == ("2023-04-30", "10.00")
    put = client.put(
        url,
        {
            "customer_id": customer.pk,
            "date": "2023-03-02",
            "due_date": "2023-03-30",
            "currency": "EUR",
            "line_items": [{"description": "a", "price": "2.50", "quantity": 4}],
        },
        format="json",
    )
    assert put.status_code == 200, put.json()
    assert (put.json()["currency"], put.json()["total"]) == ("EUR", "10.00")
    assert InvoiceLine.objects.filter(invoice_id=created["id"]).count() == 1
    # 2.50 a piece has no yen amount: the change is refused, nothing is rounded away
    assert client.patch(url, {"currency": "JPY"}, format="json").status_code == 409
    assert client.patch(url, {"currency": "GBP"}, format="json").json()["total"] == "10.00"
    # a blank number is ours to choose, on create and on update alike: it keeps its own
    kept = client.patch(url, {"number": ""}, format="json")
    assert (kept.status_code, kept.json()["number"]) == (200, created["number"])
    assert client.delete(url).status_code == 204
    assert not Invoice.objects.filter(pk=created["id"]).exists()


def test_only_drafts_change(client):
    invoice = InvoiceFactory()  # issued: open
    url = f"/api/v1/invoices/{invoice.pk}/"
    edit = client.patch(url, {"description": "x"}, format="json")
    assert edit.status_code == 409
    assert edit.json() == {
        "detail": f"Only a draft invoice can be edited; invoice {invoice.number} is open."
    }
    delete = client.delete(url)
    assert delete.status_code == 409
    assert delete.json()["detail"].startswith("Only a draft invoice can be deleted")
    assert client.patch(url, {"status": "paid"}, format="json").status_code == 400
    assert Invoice.objects.filter(pk=invoice.pk, description="Monthly service").exists()


def test_issue_and_void(client, customer):
    created = create_draft(client, customer)
    url = f"/api/v1/invoices/{created['id']}"
    issued = client.post(f"{url}/issue")
    assert (issued.status_code, issued.json()["status"]) == (200, "open")
    assert client.post(f"{url}/issue/").status_code == 409
    customer.name = "Renamed Later"
    customer.save()
    assert client.get(url).json()["customer"]["name"] == "John Doe"  # frozen at issue
    voided = client.post(f"{url}/void/")
    assert (voided.status_code, voided.json()["status"]) == (200, "void")
    assert client.post(f"{url}/void").status_code == 409
    assert client.patch(url, {"description": "x"}, format="json").status_code == 409


def test_an_invoice_with_payments_cannot_be_voided(client):
    invoice = InvoiceFactory(amount=Decimal("10.00"))
    payment_record(invoice_id=invoice.pk, amount=Decimal("1.00"), method="cash")
    response = client.post(f"/api/v1/invoices/{invoice.pk}/void")
    assert response.status_code == 409
    assert "has payments" in response.json()["detail"]


def test_auth_and_permissions(api_client, customer):
    invoice = InvoiceFactory()
    assert api_client.get("/api/v1/invoices/").status_code == 401
    reader = bearer_client(UserFactory(perms=["invoices.view_invoice"]))
    assert reader.get("/api/v1/invoices/").status_code == 200
    assert reader.post("/api/v1/invoices/", {}, format="json").status_code == 403
    assert reader.post(f"/api/v1/invoices/{invoice.pk}/void").status_code == 403
    assert reader.delete(f"/api/v1/invoices/{invoice.pk}/").status_code == 403
    nobody = bearer_client(UserFactory())
    assert nobody.get("/api/v1/invoices/").status_code == 403
    assert nobody.get(f"/api/v1/invoices/{invoice.pk}/").status_code == 403


def test_list_is_paginated_and_filtered(client):
    paid = InvoiceFactory(currency="EUR", issue_date="2023-01-10", due_date="2023-02-10")
    payment_record(invoice_id=paid.pk, amount=paid.total, method="cash")
    partial = InvoiceFactory(issue_date="2023-02-10", due_date="2023-03-10")
    payment_record(invoice_id=partial.pk, amount=Decimal("1"), method="cash")
    open_ = InvoiceFactory(issue_date="2023-03-10", due_date="2023-04-10")

    def numbers(query):
        response = client.get(f"/api/v1/invoices/{query}")
        assert response.status_code == 200, response.json()
        return [row["number"] for row in response.json()["results"]]

    body = client.get("/api/v1/invoices/?page_size=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert numbers("?status=paid") == [paid.number]
    assert numbers("?status=partially_paid") == [partial.number]
    assert numbers("?status=open") == [open_.number]
    assert set(numbers("?status=unpaid")) == {partial.number, open_.number}
    assert numbers("?currency=EUR") == [paid.number]
    assert numbers(f"?customer_id={open_.customer_id}") == [open_.number]
    assert numbers("?date_from=2023-02-10&date_to=2023-02-10") == [partial.number]
    assert numbers("?due_before=2023-02-10") == [paid.number]
    assert numbers("?due_after=2023-04-01") == [open_.number]
    assert numbers("?ordering=date") == [paid.number, partial.number, open_.number]
    assert numbers("?ordering=-total,date")[0] == paid.number


@pytest.mark.parametrize(
    "query",
    [
        "?status=unknown",
        "?date_from=2023-13-01",
        "?date_to=abc",
        "?customer_id=x",
        "?ordering=customer__name",
        "?currency=XX",
        "?colour=blue",
        "?page=99",
        "?page_size=abc",
        "?status=paid&status=open",
        "?customer_id=1&customer_id=2",
    ],
)
def test_bad_list_queries_are_4xx(client, query):
    InvoiceFactory()
    response = client.get(f"/api/v1/invoices/{query}")
    assert response.status_code in (400, 404)
    if "page" not in query:
        assert response.status_code == 400


def test_page_size_is_capped(client, settings):
    InvoiceFactory.create_batch(3)
    body = client.get("/api/v1/invoices/?page_size=100000").json()
    assert len(body["results"]) == 3


@pytest.mark.parametrize("count", [1, 15])
def test_list_queries_do_not_grow_with_rows(client, count, django_assert_num_queries):
    for invoice in InvoiceFactory.create_batch(count):
        payment_record(invoice_id=invoice.pk, amount=Decimal("1"), method="cash")
    # user, token deny-list, permissions, count, page, lines, payments, log row
    with django_assert_num_queries(8):
        response = client.get("/api/v1/invoices/")
    assert len(response.json()["results"]) == count


def test_a_linked_user_sees_only_its_customers_invoices(customer):
    mine = InvoiceFactory(customer=customer)
    other = InvoiceFactory()
    user = UserFactory(perms=INVOICE_PERMS)
    customer.users.add(user)
    client = bearer_client(user)
    assert [row["id"] for row in client.get("/api/v1/invoices/").json()["results"]] == [mine.pk]
    assert client.get(f"/api/v1/invoices/{other.pk}/").status_code == 404
    assert client.post(f"/api/v1/invoices/{other.pk}/void").status_code == 404
    response = client.post(
        "/api/v1/invoices/",
        {
            "customer_id": other.customer_id,
            "amount": "1",
            "date": "2023-03-01",
            "due_date": "2023-03-31",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["customer_id"] == [f"Customer {other.customer_id} not found."]


def test_invoice_json_numbers_never_pass_through_float(client, customer):
    body = json.dumps(
        {
            "customer_id": customer.pk,
            "amount": 0.1,
            "date": "2023-03-01",
            "due_date": "2023-03-31",
            "line_items": [{"description": "a", "price": 0.1}],
        }
    ).replace("0.1,", "0.1,")
    response = client.post("/api/v1/invoices/", body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["total"] == "0.10"


def test_a_patch_of_line_items_still_needs_each_lines_fields(client, customer):
    created = create_draft(client, customer)
    response = client.patch(
        f"/api/v1/invoices/{created['id']}/",
        {"line_items": [{"description": "no price"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "price" in str(response.json()["line_items"])
