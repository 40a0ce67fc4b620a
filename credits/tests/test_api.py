"""``/api/v1/credit-notes/`` on the invoices face."""

import json
from decimal import Decimal

import pytest
import yaml

from audit.models import RequestLog
from billing_site.testing import bearer_client
from credits.models import CreditNote
from credits.services import credit_note_issue
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import CustomerFactory, InvoiceFactory, UserFactory
from invoices.tests.json_bodies import number, parsed
from invoices.tests.pdf_text import pdf_text
from payments.services import invoice_settle

pytestmark = pytest.mark.django_db

D = Decimal
URL = "/api/v1/credit-notes/"
CREDIT_PERMS = [
    "api.use_invoices",
    "invoices.view_invoice",
    "invoices.view_customer",
    "credits.view_creditnote",
    "credits.add_creditnote",
]
# Each request: user, token deny-list, permissions, and the request log row.
PER_REQUEST = 4
LINE = {"description": "a", "unit_price": "1"}


@pytest.fixture
def clerk():
    return UserFactory(perms=[*CREDIT_PERMS, VIEW_ALL_CUSTOMERS])


@pytest.fixture
def client(clerk):
    return bearer_client(clerk)


@pytest.fixture
def invoice():
    return InvoiceFactory(
        customer=CustomerFactory(name="Zoë Ünal", street="Straße 1", city="Köln", country="DE")
    )


def post(client, body, **headers):
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def test_issue_with_lines(client, invoice):
    body = {
        "invoice_id": invoice.pk,
        "lines": [
            {"description": "Returned item", "quantity": 2, "unit_price": "7.25", "tax_rate": "10"}
        ],
        "reason": "Returned",
    }
    response = post(client, body)
    assert response.status_code == 201, response.content
    note = parsed(response)
    assert note["number"] == "CN-000001"
    assert (note["invoice_id"], note["invoice_number"]) == (invoice.pk, invoice.number)
    assert note["customer_id"] == invoice.customer_id
    assert (note["mode"], note["reason"], note["currency"]) == ("reduce_invoice", "Returned", "USD")
    assert [number(note[key]) for key in ("subtotal", "tax", "total")] == ["14.50", "1.45", "15.95"]
    (line,) = note["line_items"]
    assert number(line["unit_price"]) == "7.25" and number(line["quantity"]) == "2.000"
    assert note["pdf_url"] == f"/api/v1/credit-notes/{note['id']}/pdf"
    invoice.refresh_from_db()
    assert invoice.balance == D("84.05")


def test_issue_with_an_amount_as_customer_credit(client, invoice):
    invoice_settle(invoice_id=invoice.pk, method="cash")
    response = post(client, {"invoice_id": invoice.pk, "amount": 25.5, "reason": "Goodwill"})
    assert response.status_code == 201, response.content
    note = parsed(response)
    assert note["mode"] == "customer_credit"  # the invoice is paid: nothing to reduce
    assert number(note["total"]) == "25.50"
    customer = parsed(client.get(f"/api/v1/customers/{invoice.customer_id}/"))
    assert {key: number(value) for key, value in customer["credit_balances"].items()} == {
        "USD": "25.50"
    }


def test_the_invoice_shows_its_credit_and_notes(client, invoice):
    note = credit_note_issue(invoice_id=invoice.pk, amount=D("100.00"), reason="Cancelled")
    body = parsed(client.get(f"/api/v1/invoices/{invoice.pk}/"))
    assert body["status"] == "paid"
    assert number(body["amount_credited"]) == "100.00"
    assert number(body["balance"]) == "0.00" and number(body["amount_paid"]) == "0.00"
    assert body["credit_notes"] == [
        {
            "id": note.pk,
            "number": note.number,
            "date": body["credit_notes"][0]["date"],
            "mode": "reduce_invoice",
            "total": D("100.00"),
            "reason": "Cancelled",
        }
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "invoice_id"),
        ({"invoice_id": "x", "amount": "1"}, "invoice_id"),
        ({"invoice_id": 1}, "amount"),  # neither
        ({"invoice_id": 1, "amount": "1", "lines": [LINE]}, "amount"),
        ({"invoice_id": 1, "amount": True}, "amount"),
        ({"invoice_id": 1, "amount": "1.001"}, "amount"),  # more places than USD
        ({"invoice_id": 1, "amount": "0"}, "amount"),
        ({"invoice_id": 1, "amount": "-5"}, "amount"),
        ({"invoice_id": 1, "amount": "abc"}, "amount"),
        ({"invoice_id": 1, "amount": "1", "mode": "refund"}, "mode"),
        ({"invoice_id": 1, "amount": "1", "reason": 5}, "reason"),
        ({"invoice_id": 1, "amount": "1", "colour": "red"}, "colour"),
        ({"invoice_id": 1, "lines": []}, "lines"),
        ({"invoice_id": 1, "lines": [{"description": "a"}]}, "lines"),
        ({"invoice_id": 1, "lines": [{**LINE, "x": 1}]}, "lines"),
        ({"invoice_id": 1, "lines": [{**LINE, "tax_rate": "101"}]}, "lines"),
        ({"invoice_id": 1, "lines": [{**LINE, "unit_price": "0.001"}]}, "lines"),
        ({"invoice_id": 999999, "amount": "1"}, "invoice_id"),
    ],
)  # fmt: skip
def test_malformed_input_is_a_400_naming_the_field(client, invoice, body, field):
    if body.get("invoice_id") == 1:
        body = {**body, "invoice_id": invoice.pk}
    response = post(client, body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not CreditNote.objects.exists()


@pytest.mark.parametrize("raw", ["[1, 2]", '"text"', "{", "null"])
def test_a_body_that_is_no_object_is_a_400(client, raw):
    response = client.post(URL, raw, content_type="application/json")
    assert response.status_code == 400
    assert isinstance(response.json(), dict)


def test_over_credit_is_a_400_and_a_draft_a_409(client, invoice):
    response = post(client, {"invoice_id": invoice.pk, "amount": "100.01"})
    assert response.status_code == 400
    assert "can still be credited: 100.00 USD" in response.json()["detail"]
    draft = InvoiceFactory(issue=False)
    response = post(client, {"invoice_id": draft.pk, "amount": "1"})
    assert response.status_code == 409
    assert "only an issued" in response.json()["detail"]


def test_idempotent_replay(client, invoice):
    body = {"invoice_id": invoice.pk, "amount": "10.00"}
    first = post(client, body, HTTP_IDEMPOTENCY_KEY="cn-1")
    again = post(client, body, HTTP_IDEMPOTENCY_KEY="cn-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert CreditNote.objects.count() == 1
    other = post(client, {**body, "amount": "11.00"}, HTTP_IDEMPOTENCY_KEY="cn-1")
    assert other.status_code == 422


def test_a_customer_user_sees_only_its_own(invoice):
    mine = credit_note_issue(invoice_id=invoice.pk, amount=D("1.00"))
    other_invoice = InvoiceFactory()
    theirs = credit_note_issue(invoice_id=other_invoice.pk, amount=D("1.00"))
    user = UserFactory(perms=CREDIT_PERMS)
    invoice.customer.users.add(user)
    client = bearer_client(user)
    assert [note["id"] for note in parsed(client.get(URL))] == [mine.pk]
    assert client.get(f"{URL}{mine.pk}/").status_code == 200
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    not_theirs = client.get(f"{URL}{theirs.pk}/pdf")
    assert not_theirs.status_code == 404 and list(not_theirs.json()) == ["detail"]
    assert parsed(client.get(f"{URL}?customer_id={other_invoice.customer_id}")) == []
    # Nor can it credit another's invoice: it does not exist for it.
    response = post(client, {"invoice_id": other_invoice.pk, "amount": "1"})
    assert response.status_code == 400 and "invoice_id" in response.json()


def test_permissions(invoice):
    note = credit_note_issue(invoice_id=invoice.pk, amount=D("1.00"))
    reader = bearer_client(
        UserFactory(perms=["api.use_invoices", "credits.view_creditnote", VIEW_ALL_CUSTOMERS])
    )
    assert reader.get(f"{URL}{note.pk}/").status_code == 200
    assert post(reader, {"invoice_id": invoice.pk, "amount": "1"}).status_code == 403
    no_face = bearer_client(UserFactory(perms=["credits.view_creditnote", VIEW_ALL_CUSTOMERS]))
    assert no_face.get(URL).status_code == 403
    assert bearer_client(UserFactory(perms=["api.use_invoices"])).get(URL).status_code == 403


def test_filters_and_bad_filters(client, invoice):
    note = credit_note_issue(invoice_id=invoice.pk, amount=D("1.00"))
    other = credit_note_issue(invoice_id=InvoiceFactory().pk, amount=D("2.00"))
    assert [n["id"] for n in parsed(client.get(URL))] == [other.pk, note.pk]
    assert [n["id"] for n in parsed(client.get(f"{URL}?invoice_id={invoice.pk}"))] == [note.pk]
    by_customer = parsed(client.get(f"{URL}?customer_id={invoice.customer_id}"))
    assert [n["id"] for n in by_customer] == [note.pk]
    for query in ("?invoice_id=abc", "?colour=red", "?ordering=secret", "?mode=refund"):
        assert client.get(URL + query).status_code == 400, query
    for path in ("abc/", "0/", "99999/", "\u0661/"):
        response = client.get(URL + path)
        assert response.status_code == 404 and list(response.json()) == ["detail"]


@pytest.mark.parametrize("count", [1, 4, 9])
def test_the_list_costs_the_same_queries_whatever_its_length(
    client, count, django_assert_num_queries
):
    for invoice in InvoiceFactory.create_batch(count):
        credit_note_issue(invoice_id=invoice.pk, amount=D("1.00"))
    # One batch: the notes with their invoices, their lines.
    with django_assert_num_queries(PER_REQUEST + 2):
        assert len(parsed(client.get(URL))) == count


@pytest.mark.parametrize("count", [1, 4, 9])
def test_a_page_costs_the_same_queries_whatever_its_length(
    client, count, django_assert_num_queries
):
    for invoice in InvoiceFactory.create_batch(count):
        credit_note_issue(invoice_id=invoice.pk, amount=D("1.00"))
    # The count, the notes with their invoices, their lines.
    with django_assert_num_queries(PER_REQUEST + 3):
        assert len(parsed(client.get(URL + "?page_size=2"))) == min(count, 2)


def test_the_pdf(client, invoice):
    note = credit_note_issue(
        invoice_id=invoice.pk, amount=D("12.34"), reason="Überweisung doppelt \N{EN DASH} Kulanz"
    )
    response = client.get(f"{URL}{note.pk}/pdf")
    assert response["Content-Disposition"] == 'inline; filename="credit_note_CN-000001.pdf"'
    text = pdf_text(response)
    for expected in (
        "Credit note",
        "CN-000001",
        invoice.number,
        "Zoë Ünal",
        "Straße 1",
        "12.34",
        "Überweisung doppelt \N{EN DASH} Kulanz",
        "Deducted from the balance of invoice",
    ):
        assert expected in text, (expected, text)


def test_each_request_is_logged(client, invoice):
    response = post(client, {"invoice_id": invoice.pk, "amount": "3.00"})
    assert response.status_code == 201
    row = RequestLog.objects.get(endpoint=URL, method="POST")
    assert row.status_code == 201 and "CN-000001" in row.response_body
    client.get(URL + "abc/")
    assert RequestLog.objects.filter(endpoint=URL + "abc/", status_code=404).exists()


def test_the_schema_describes_the_routes(api_client):
    schema = yaml.safe_load(api_client.get("/api/schema/").content)
    paths = schema["paths"]
    routes = {
        "/api/v1/credit-notes/",
        "/api/v1/credit-notes/{id}/",
        "/api/v1/credit-notes/{id}/pdf/",
    }
    assert routes <= set(paths)
    create = paths["/api/v1/credit-notes/"]["post"]
    assert create["summary"] == "Issue a credit note against an invoice"
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    assert "credit_balances" in schema["components"]["schemas"]["CustomerDetail"]["properties"]
    invoice = schema["components"]["schemas"]["Invoice"]["properties"]
    assert {"amount_credited", "credit_notes"} <= set(invoice)
