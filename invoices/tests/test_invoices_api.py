import datetime
import json
from decimal import Decimal

import pytest

from billing_site.testing import bearer_client
from invoices.models import VIEW_ALL_CUSTOMERS, Invoice, InvoiceLine
from invoices.tests.factories import CustomerFactory, InvoiceFactory, UserFactory
from invoices.tests.json_bodies import number, parsed
from invoices.tests.today import pin_today
from payments.services import payment_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def before_the_samples_are_due(monkeypatch):
    """The document's sample dates (2022, 2023) are long past: these tests read invoices
    not yet due (``test_overdue.py`` reads overdue ones)."""
    pin_today(monkeypatch, datetime.date(2022, 1, 1))


INVOICE_PERMS = [
    "api.use_invoices",
    "invoices.view_invoice",
    "invoices.add_invoice",
    "invoices.change_invoice",
    "invoices.delete_invoice",
]
FOUR_FIELDS = {"amount": "10.00", "date": "2023-03-01", "due_date": "2023-03-31"}


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


def create(client, customer, **fields) -> dict:
    """An invoice of 10.00 made through the API (open unless ``status="draft"``)."""
    response = client.post(
        "/api/v1/invoices/", {"customer_id": customer.pk, **FOUR_FIELDS, **fields}, format="json"
    )
    assert response.status_code == 201, response.json()
    return parsed(response)


def test_create_from_the_documents_four_fields_issues_the_invoice(client, customer):
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
    body = parsed(response)
    assert body["customer_id"] == customer.pk
    assert [number(body[key]) for key in ("amount", "total", "subtotal", "tax")] == [
        "100.00",
        "100.00",
        "100.00",
        "0.00",
    ]
    assert b'"amount":100.00,' in response.content
    assert (body["date"], body["due_date"], body["status"]) == ("2023-03-01", "2023-03-31", "open")
    assert body["issued_at"] is not None
    assert body["number"].startswith("INV-")
    line = body["line_items"][0]
    assert (line["description"], number(line["quantity"]), number(line["tax_rate"])) == (
        "Invoice amount",
        "1.000",
        "0.0000",
    )
    assert [number(line[key]) for key in ("price", "subtotal", "tax", "total")] == [
        "100.00",
        "100.00",
        "0.00",
        "100.00",
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
    invoice = Invoice.objects.get(pk=body["id"])
    assert (invoice.status, invoice.total) == ("open", Decimal("100.00"))


def test_a_created_invoice_can_be_billed_through_the_gateway(client, customer):
    body = create(client, customer)
    staff = bearer_client(UserFactory(is_staff=True, is_superuser=True))
    reference = {"orderID": body["number"], "billingNumber": body["number"]}
    checked = staff.post("/checkPaymentStatus", reference, format="json")
    assert (checked.status_code, checked.json()["paymentStatus"]) == (200, "unpaid")


def test_a_draft_is_made_only_when_asked(client, customer):
    body = create(client, customer, status="draft")
    assert (body["status"], body["issued_at"]) == ("draft", None)
    assert Invoice.objects.get(pk=body["id"]).status == "draft"


def test_create_with_line_items_and_tax_like_the_long_sample(client, customer):
    response = client.post(
        "/api/v1/invoices",
        {
            "customer_id": customer.pk,
            "date": "2022-02-28",
            "due_date": "2022-03-14",
            "currency": "USD",
            "number": "123456",
            "line_items": [
                {"description": "Product 1", "quantity": 2, "price": 50.00, "tax_rate": "10"}
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = parsed(response)
    assert [number(body[key]) for key in ("subtotal", "tax", "total", "balance")] == [
        "100.00",
        "10.00",
        "110.00",
        "110.00",
    ]
    assert body["status"] == "open"
    line = body["line_items"][0]
    assert [number(line[key]) for key in ("quantity", "price", "subtotal")] == [
        "2.000",
        "50.00",
        "100.00",
    ]


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
    body = parsed(response)
    assert (number(body["tax"]), number(body["total"])) == ("100", "1099")
    body = create(client, customer, currency="IQD", amount="1.235")
    assert number(body["total"]) == "1.235"


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
        ({"date": "01/03/2023"}, "date"),
        ({"date": "2023-3-1"}, "date"),
        ({"date": "20230301"}, "date"),
        ({"date": "2023-W09-3"}, "date"),
        ({"due_date": "03/31/2023"}, "due_date"),
        ({"period_from": "2023-03-01T00:00:00"}, "period_from"),
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
    payload = {"customer_id": customer.pk, **FOUR_FIELDS, **changes}
    response = client.post("/api/v1/invoices/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Invoice.objects.exists()


def test_a_date_in_another_order_says_how_to_write_it(client, customer):
    response = client.post(
        "/api/v1/invoices/",
        {"customer_id": customer.pk, **FOUR_FIELDS, "date": "01/01/2023"},
        format="json",
    )
    assert response.json() == {"date": ["Must be a valid date written YYYY-MM-DD."]}


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
    assert isinstance(response.json()["detail"], str)


def test_a_duplicate_number_is_400(client, customer):
    InvoiceFactory(number="DUP-1")
    response = client.post(
        "/api/v1/invoices/",
        {"customer_id": customer.pk, **FOUR_FIELDS, "number": "DUP-1"},
        format="json",
    )
    assert response.status_code == 400
    assert "number" in response.json()


def test_get_one(client):
    invoice = InvoiceFactory()
    assert client.get(f"/api/v1/invoices/{invoice.pk}").json()["number"] == invoice.number
    assert client.get(f"/api/v1/invoices/{invoice.pk}/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/invoices/999999/",
        "/api/v1/invoices/abc",
        "/api/v1/invoices/abc/",
        "/api/v1/invoices/0",
        "/api/v1/invoices/-1",
        "/api/v1/invoices/1.5",
        "/api/v1/invoices/\u0661",
        f"/api/v1/invoices/{2**63}",
        f"/api/v1/invoices/{'9' * 30}/",
        "/api/v1/invoices/abc/issue",
        "/api/v1/invoices/abc/payments",
        f"/api/v1/invoices/{'9' * 30}/payments",
        "/api/v1/customers/abc/",
        f"/api/v1/customers/{2**63}",
    ],
)
def test_bad_ids_in_the_path_are_the_faces_404(path):
    InvoiceFactory()
    client = bearer_client(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(path) if not path.endswith("issue") else client.post(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["detail"] and body["detail"].endswith(("Not found.", "given query."))


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
    body = parsed(client.get(f"/api/v1/invoices/{invoice.pk}/"))
    assert body["status"] == "partially_paid"
    assert (number(body["amount_paid"]), number(body["balance"])) == ("50.00", "50.00")
    assert [number(p["amount"]) for p in body["payments"]] == ["30.00", "20.00"]
    assert body["payments"][0]["card"] == {
        "type": "Visa",
        "last4": "1234",
        "exp_month": 12,
        "exp_year": 2030,
    }
    assert number(body["payment"]["amount"]) == "20.00"
    assert body["payment"]["card"] is None


def test_edit_a_draft(client, customer):
    created = create(client, customer, status="draft")
    url = f"/api/v1/invoices/{created['id']}/"
    patched = client.patch(url, {"due_date": "2023-04-30", "description": "Changed"}, format="json")
    assert patched.status_code == 200
    assert (patched.json()["due_date"], number(parsed(patched)["total"])) == ("2023-04-30", "10.00")
    put = client.put(
        url,
        {
            "customer_id": customer.pk,
            "date": "2023-03-02",
            "due_date": "2023-03-30",
            "currency": "EUR",
            "status": "draft",
            "line_items": [{"description": "a", "price": "2.50", "quantity": 4}],
        },
        format="json",
    )
    assert put.status_code == 200, put.json()
    assert (put.json()["currency"], number(parsed(put)["total"])) == ("EUR", "10.00")
    assert InvoiceLine.objects.filter(invoice_id=created["id"]).count() == 1
    # 2.50 a piece has no yen amount: the change is refused, nothing is rounded away
    assert client.patch(url, {"currency": "JPY"}, format="json").status_code == 409
    assert number(parsed(client.patch(url, {"currency": "GBP"}, format="json"))["total"]) == "10.00"
    # a blank number is ours to choose, on create and on update alike: it keeps its own
    kept = client.patch(url, {"number": ""}, format="json")
    assert (kept.status_code, kept.json()["number"]) == (200, created["number"])
    # the status changes through /issue and DELETE, never through an edit
    assert client.patch(url, {"status": "open"}, format="json").status_code == 400
    assert Invoice.objects.get(pk=created["id"]).status == "draft"


def test_an_open_invoice_without_payments_is_revised(client, customer):
    created = create(client, customer)
    url = f"/api/v1/invoices/{created['id']}/"
    patched = client.patch(
        url,
        {"description": "Corrected", "due_date": "2023-04-15", "amount": 12.5},
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    body = parsed(patched)
    assert (body["status"], body["description"], body["due_date"]) == (
        "open",
        "Corrected",
        "2023-04-15",
    )
    assert number(body["total"]) == "12.50"
    put = client.put(
        url,
        {
            "customer_id": customer.pk,
            "date": "2023-03-01",
            "due_date": "2023-04-30",
            "currency": "USD",
            "status": "open",
            "number": created["number"],
            "line_items": [{"description": "a", "price": "3.00", "quantity": 2, "tax_rate": 10}],
        },
        format="json",
    )
    assert put.status_code == 200, put.json()
    assert number(parsed(put)["total"]) == "6.60"
    invoice = Invoice.objects.get(pk=created["id"])
    assert (invoice.status, invoice.number, invoice.total) == (
        "open",
        created["number"],
        Decimal("6.60"),
    )


@pytest.mark.parametrize(
    "changes,named",
    [
        ({"date": "2023-03-02"}, "date"),
        ({"currency": "EUR"}, "currency"),
        ({"number": "OTHER-1"}, "number"),
        ({"order_id": "ORDER-9", "period_from": "2023-01-01"}, "order_id, period_from"),
    ],
)
def test_what_an_issued_invoice_fixed_cannot_change(client, customer, changes, named):
    created = create(client, customer)
    response = client.patch(f"/api/v1/invoices/{created['id']}/", changes, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Invoice {created['number']} is open: its {named} cannot change "
        "(void it and create another)."
    }
    assert Invoice.objects.get(pk=created["id"]).issue_date.isoformat() == "2023-03-01"


def test_nor_its_customer(client, customer):
    created = create(client, customer)
    other = CustomerFactory()
    response = client.patch(
        f"/api/v1/invoices/{created['id']}/", {"customer_id": other.pk}, format="json"
    )
    assert response.status_code == 409
    assert "customer_id cannot change" in response.json()["detail"]


@pytest.mark.parametrize("state", ["partially_paid", "paid", "void"])
def test_an_invoice_with_payments_paid_or_void_does_not_change(client, state):
    invoice = InvoiceFactory(amount=Decimal("10.00"))
    if state == "void":
        Invoice.objects.filter(pk=invoice.pk).update(status="void")
    else:
        amount = Decimal("10.00") if state == "paid" else Decimal("1.00")
        payment_record(invoice_id=invoice.pk, amount=amount, method="cash")
    url = f"/api/v1/invoices/{invoice.pk}/"
    edit = client.patch(url, {"description": "x"}, format="json")
    assert edit.status_code == 409
    assert set(edit.json()) == {"detail"}
    assert client.delete(url).status_code == 409
    assert Invoice.objects.filter(pk=invoice.pk, description="Monthly service").exists()
    assert client.patch(url, {"status": "paid"}, format="json").status_code == 400


@pytest.mark.parametrize("status", ["draft", "open"])
def test_delete_voids_and_keeps_the_number(client, customer, status):
    created = create(client, customer, status=status)
    url = f"/api/v1/invoices/{created['id']}/"
    response = client.delete(url)
    assert (response.status_code, response.content) == (204, b"")
    invoice = Invoice.objects.get(pk=created["id"])
    assert (invoice.status, invoice.number) == ("void", created["number"])
    assert invoice.voided_at is not None
    assert client.get(url).json()["status"] == "void"  # still read by its id
    assert parsed(client.get("/api/v1/invoices/")) == []  # gone from the default list
    assert [row["id"] for row in parsed(client.get("/api/v1/invoices/?status=void"))] == [
        invoice.pk
    ]
    again = client.delete(url)
    assert again.status_code == 409
    # the number stays taken: the next invoice gets the next one
    after = create(client, customer)
    assert after["number"] > created["number"]


def test_issue_and_void(client, customer):
    created = create(client, customer, status="draft")
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
    reader = bearer_client(UserFactory(perms=["api.use_invoices", "invoices.view_invoice"]))
    assert reader.get("/api/v1/invoices/").status_code == 200
    assert reader.post("/api/v1/invoices/", {}, format="json").status_code == 403
    assert reader.post(f"/api/v1/invoices/{invoice.pk}/void").status_code == 403
    assert reader.delete(f"/api/v1/invoices/{invoice.pk}/").status_code == 403
    nobody = bearer_client(UserFactory(perms=["api.use_invoices"]))
    assert nobody.get("/api/v1/invoices/").status_code == 403
    assert nobody.get(f"/api/v1/invoices/{invoice.pk}/").status_code == 403


def every_model_permission() -> list[str]:
    from django.contrib.auth.models import Permission

    permissions = Permission.objects.filter(
        content_type__app_label__in=["invoices", "payments", "reports", "bills"]
    )
    return [f"{p.content_type.app_label}.{p.codename}" for p in permissions]


def test_every_model_permission_without_the_faces_is_403(customer):
    invoice = InvoiceFactory(customer=customer)
    outsider = bearer_client(UserFactory(perms=every_model_permission()))
    denied = {"detail": "You do not have permission to use this API."}
    requests = [
        ("get", "/api/v1/invoices/", None),
        ("get", "/api/v1/invoices/?page=1", None),
        ("post", "/api/v1/invoices/", {"customer_id": customer.pk, **FOUR_FIELDS}),
        ("get", f"/api/v1/invoices/{invoice.pk}/", None),
        ("patch", f"/api/v1/invoices/{invoice.pk}/", {"description": "x"}),
        ("delete", f"/api/v1/invoices/{invoice.pk}/", None),
        ("post", f"/api/v1/invoices/{invoice.pk}/void", None),
        ("get", f"/api/v1/invoices/{invoice.pk}/payments", None),
        ("post", f"/api/v1/invoices/{invoice.pk}/payments", {"amount": 1, "method": "cash"}),
        ("get", "/api/v1/customers/", None),
        ("get", f"/api/v1/customers/{customer.pk}/", None),
        ("post", "/api/v1/customers/", {"name": "x"}),
    ]
    for method, path, payload in requests:
        response = getattr(outsider, method)(path, payload, format="json")
        assert (response.status_code, response.json()) == (403, denied), (method, path)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.description, Invoice.objects.count()) == (
        "open",
        "Monthly service",
        1,
    )
    member = bearer_client(UserFactory(perms=[*every_model_permission(), "api.use_invoices"]))
    assert member.get(f"/api/v1/invoices/{invoice.pk}/").status_code == 200


def numbers(client, query="") -> list[str]:
    response = client.get(f"/api/v1/invoices/{query}")
    assert response.status_code == 200, parsed(response)
    return [row["number"] for row in parsed(response)]


def test_list_is_a_bare_array_filtered(client):
    paid = InvoiceFactory(currency="EUR", issue_date="2023-01-10", due_date="2023-02-10")
    payment_record(invoice_id=paid.pk, amount=paid.total, method="cash")
    partial = InvoiceFactory(issue_date="2023-02-10", due_date="2023-03-10")
    payment_record(invoice_id=partial.pk, amount=Decimal("1"), method="cash")
    open_ = InvoiceFactory(issue_date="2023-03-10", due_date="2023-04-10")
    void = InvoiceFactory(issue_date="2023-03-11", due_date="2023-04-11")
    Invoice.objects.filter(pk=void.pk).update(status="void")

    assert numbers(client) == [open_.number, partial.number, paid.number]  # newest first
    assert numbers(client, "?status=paid") == [paid.number]
    assert numbers(client, "?status=partially_paid") == [partial.number]
    assert numbers(client, "?status=open") == [open_.number]
    assert numbers(client, "?status=void") == [void.number]
    assert set(numbers(client, "?status=unpaid")) == {partial.number, open_.number}
    assert numbers(client, "?currency=EUR") == [paid.number]
    assert numbers(client, f"?customer_id={open_.customer_id}") == [open_.number]
    assert numbers(client, "?date_from=2023-02-10&date_to=2023-02-10") == [partial.number]
    assert numbers(client, "?due_before=2023-02-10") == [paid.number]
    assert numbers(client, "?due_after=2023-04-01") == [open_.number]
    assert numbers(client, "?ordering=date") == [paid.number, partial.number, open_.number]
    assert numbers(client, "?ordering=-total,date")[0] == paid.number
    row = parsed(client.get("/api/v1/invoices/"))[0]
    assert [number(row[key]) for key in ("amount", "total", "amount_paid")] == [
        "100.00",
        "100.00",
        "0.00",
    ]


def test_paging_is_opt_in_and_announced_in_headers(client):
    invoices = InvoiceFactory.create_batch(5)
    newest_first = [invoice.number for invoice in reversed(invoices)]
    whole = client.get("/api/v1/invoices/")
    assert whole.streaming and "X-Total-Count" not in whole and "Link" not in whole
    page = client.get("/api/v1/invoices/?page_size=2&page=2")
    assert [row["number"] for row in parsed(page)] == newest_first[2:4]
    assert page["X-Total-Count"] == "5"
    assert page["Link"] == (
        '<http://testserver/api/v1/invoices/?page=3&page_size=2>; rel="next", '
        '<http://testserver/api/v1/invoices/?page_size=2>; rel="prev"'
    )
    first = client.get("/api/v1/invoices/?page=1")
    assert len(parsed(first)) == 5 and "Link" not in first
    assert number(parsed(first)[0]["amount"]) == "100.00"


@pytest.mark.parametrize(
    "query",
    [
        "?status=unknown",
        "?date_from=2023-13-01",
        "?date_from=01/01/2023",
        "?date_to=2023-1-1",
        "?due_before=20230101",
        "?due_after=2023-W01-1",
        "?date_to=abc",
        "?customer_id=x",
        "?ordering=customer__name",
        "?currency=XX",
        "?colour=blue",
        "?page_size=abc",
        "?status=paid&status=open",
        "?customer_id=1&customer_id=2",
    ],
)
def test_bad_list_queries_are_400(client, query):
    InvoiceFactory()
    response = client.get(f"/api/v1/invoices/{query}")
    assert response.status_code == 400
    assert set(response.json()) <= {"status", "date_from", "date_to", "due_before", "due_after"} | {
        "customer_id",
        "ordering",
        "currency",
        "colour",
        "page_size",
    }


def test_a_page_beyond_the_last_is_404(client):
    InvoiceFactory()
    response = client.get("/api/v1/invoices/?page=99")
    assert (response.status_code, response.json()) == (404, {"detail": "Invalid page."})


def test_page_size_is_capped(client, settings):
    InvoiceFactory.create_batch(3)
    assert len(parsed(client.get("/api/v1/invoices/?page_size=100000"))) == 3


@pytest.fixture
def small_batches(monkeypatch):
    """Streamed lists read 3 rows a batch."""
    from invoices.api.views import FaceViewSet

    monkeypatch.setattr(FaceViewSet, "stream_batch_size", 3)
    return 3


@pytest.mark.parametrize("count", [7, 9])
def test_the_streamed_list_has_every_row_past_a_batch(client, small_batches, count):
    invoices = InvoiceFactory.create_batch(count)
    assert numbers(client) == [invoice.number for invoice in reversed(invoices)]
    # in the order asked: a keyset on (total, id), not on the id alone
    for index, invoice in enumerate(invoices):
        Invoice.objects.filter(pk=invoice.pk).update(total=Decimal(index % 3))
    by_total = sorted(invoices, key=lambda invoice: (invoices.index(invoice) % 3, invoice.pk))
    assert numbers(client, "?ordering=total,id") == [invoice.number for invoice in by_total]


# Each request: user, token deny-list, permissions, and the request log row.
PER_REQUEST = 4


@pytest.mark.parametrize("count", [2, 3, 7, 9])
def test_the_streamed_list_costs_four_queries_a_batch(
    client, small_batches, count, django_assert_num_queries
):
    for invoice in InvoiceFactory.create_batch(count):
        payment_record(invoice_id=invoice.pk, amount=Decimal("1"), method="cash")
    # A batch: its invoices with their customers, their lines, their payments,
    # their payments' refunds, their credit notes. A batch that comes back short
    # is the last; after a full one, one more query finds nothing.
    full, rest = divmod(count, small_batches)
    queries = 5 * full + (5 if rest else 1)
    with django_assert_num_queries(PER_REQUEST + queries):
        assert len(parsed(client.get("/api/v1/invoices/"))) == count


@pytest.mark.parametrize("page_size", [1, 15])
def test_a_page_costs_the_same_queries_whatever_its_size(
    client, page_size, django_assert_num_queries
):
    for invoice in InvoiceFactory.create_batch(15):
        payment_record(invoice_id=invoice.pk, amount=Decimal("1"), method="cash")
    # count, page (invoices with customers), lines, payments, their refunds, credit notes
    with django_assert_num_queries(PER_REQUEST + 6):
        response = client.get(f"/api/v1/invoices/?page_size={page_size}")
    assert len(parsed(response)) == page_size


def test_a_linked_user_sees_only_its_customers_invoices(customer):
    mine = InvoiceFactory(customer=customer)
    other = InvoiceFactory()
    user = UserFactory(perms=INVOICE_PERMS)
    customer.users.add(user)
    client = bearer_client(user)
    assert [row["id"] for row in parsed(client.get("/api/v1/invoices/"))] == [mine.pk]
    assert client.get(f"/api/v1/invoices/{other.pk}/").status_code == 404
    assert client.post(f"/api/v1/invoices/{other.pk}/void").status_code == 404
    assert client.delete(f"/api/v1/invoices/{other.pk}/").status_code == 404
    response = client.post(
        "/api/v1/invoices/",
        {"customer_id": other.customer_id, **FOUR_FIELDS},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["customer_id"] == [f"Customer {other.customer_id} not found."]


def test_invoice_json_numbers_never_pass_through_float(client, customer):
    body = json.dumps(
        {
            "customer_id": customer.pk,
            "amount": "0.1",
            "date": "2023-03-01",
            "due_date": "2023-03-31",
            "line_items": [{"description": "a", "price": "0.1"}],
        }
    ).replace('"0.1"', "0.1")
    response = client.post("/api/v1/invoices/", body, content_type="application/json")
    assert response.status_code == 201
    assert number(parsed(response)["total"]) == "0.10"
    big = create(client, customer, amount=12345678901.23)
    assert number(big["amount"]) == "12345678901.23"
    assert b'"amount":12345678901.23,' in client.get(f"/api/v1/invoices/{big['id']}").content


def test_a_patch_of_line_items_still_needs_each_lines_fields(client, customer):
    created = create(client, customer, status="draft")
    response = client.patch(
        f"/api/v1/invoices/{created['id']}/",
        {"line_items": [{"description": "no price"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "price" in str(response.json()["line_items"])
