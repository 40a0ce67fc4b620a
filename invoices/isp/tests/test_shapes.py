"""Each ISP answer is what the OpenAPI schema says it is: the schema and the
answers come from the same declared shapes, so every answer of every operation
validates, key for key (no key missing, none added) and type for type, against
its operation's schema for its status code, streamed lists included."""

import datetime
import json
from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft7Validator

from billing_site.testing import bearer_client
from invoices.isp.errors import error_body
from invoices.isp.shapes import IspInvoiceIdMapSerializer
from invoices.isp.views import written_by
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import CustomerFactory, InvoiceFactory, UserFactory
from payments.services import payment_record


def as_json_schema(node):
    """An OpenAPI 3.0 schema as a JSON Schema: ``nullable`` as a null type, and
    objects closed (a key the schema does not list is an error here)."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: as_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    if "properties" in node:
        node.setdefault("additionalProperties", False)
    return node


@pytest.fixture(scope="module")
def openapi():
    return as_json_schema(SchemaGenerator().get_schema(request=None, public=True))


def conforms(openapi, path: str, response) -> list[str]:
    """What is wrong with ``response`` by the schema of ``path``'s GET for its status."""
    operation = openapi["paths"][path]["get"]
    answer = operation["responses"][str(response.status_code)]["content"]["application/json"]
    validator = Draft7Validator({**answer["schema"], "components": openapi["components"]})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return [error.message for error in validator.iter_errors(json.loads(content))]


@pytest.fixture
def ledger(db):
    """Invoices of a customer with every contact detail and of one with none,
    paid, paid in part and unpaid, with lines, tax and a billing period."""
    full = CustomerFactory(
        first_name="Ravi",
        last_name="Kumar",
        phone="+91 20 5550 1234",
        street="1 MG Road",
        city="Pune",
        zip="411001",
        tax_number="27AAAPL1234C1ZV",
    )
    bare = CustomerFactory(first_name="", last_name="", email="", phone="", street="")
    paid = InvoiceFactory(customer=full, period_from=datetime.date(2016, 9, 26))
    payment_record(invoice_id=paid.pk, amount=paid.total, method="cash")
    partial = InvoiceFactory(customer=bare, amount=Decimal("799.00"))
    payment_record(invoice_id=partial.pk, amount=Decimal("99"), method="cash")
    unpaid = InvoiceFactory(customer=bare, description="")
    return {"full": full, "bare": bare, "paid": paid, "partial": partial, "unpaid": unpaid}


@pytest.fixture
def client(db):
    return bearer_client(
        UserFactory(perms=["invoices.view_invoice", "api.use_isp", VIEW_ALL_CUSTOMERS])
    )


def answers(ledger):
    """(schema path, request path) of an answer of each operation, good and bad."""
    paid, bare = ledger["paid"], ledger["bare"].pk
    ids = "/api/v1/get_all_invoice_ids/"
    of_user = "/api/v1/get_all_invoices_from_userid/"
    everything = "/api/v1/get_all_invoices/"
    details = "/api/v1/get_invoice_details/{invoice_id}/"
    receipt = "/api/v1/get_invoice_receipt/{user_id}/{invoice_id}/"
    return [
        (ids, ids),
        (ids + "{from_date}/", ids + "2020-01-01"),
        (ids + "{from_date}/{to_date}/", ids + "2020-01-01/2030-12-31"),
        (ids + "{from_date}/{to_date}/{status}/", ids + "2020-01-01/2030-12-31/unpaid"),
        (ids + "{from_date}/{to_date}/{status}/", ids + "2020-01-01/2030-12-31/due"),
        (ids + "{from_date}/", ids + "01-01-2020"),
        (details, f"/api/v1/get_invoice_details/{paid.pk}"),
        (details, f"/api/v1/get_invoice_details/{ledger['partial'].pk}"),
        (details, "/api/v1/get_invoice_details/99999999"),
        (details, "/api/v1/get_invoice_details/x"),
        (of_user + "{user_id}/", f"{of_user}{bare}"),
        (of_user + "{user_id}/{status}/", f"{of_user}{bare}/paid"),
        (of_user + "{user_id}/", f"{of_user}99999999"),
        (everything, everything),
        (everything + "{from_date}/", everything + "2020-01-01"),
        (everything + "{from_date}/{to_date}/", everything + "2020-01-01/2030-12-31"),
        (everything + "{from_date}/{to_date}/", everything + "2030-12-31/2020-01-01"),
        (receipt, f"/api/v1/get_invoice_receipt/{paid.customer_id}/{paid.pk}"),
        (receipt, f"/api/v1/get_invoice_receipt/{bare}/{paid.pk}"),
    ]


def test_every_answer_is_what_the_schema_says(openapi, client, ledger):
    statuses = set()
    for schema_path, path in answers(ledger):
        response = client.get(path)
        statuses.add(response.status_code)
        assert conforms(openapi, schema_path, response) == [], path
    assert statuses == {200, 400, 404}


def test_the_lists_checked_are_not_empty(client, ledger):
    """The schema check above sees rows of every kind, not empty arrays."""
    rows = json.loads(b"".join(client.get("/api/v1/get_all_invoices").streaming_content))[0]
    assert [row["Contact"]["gst_number"] is None for row in rows] == [False, True, True]
    ids = json.loads(b"".join(client.get("/api/v1/get_all_invoice_ids").streaming_content))
    assert len(ids) == 3


def test_refusals_are_what_the_schema_says(openapi, api_client, ledger):
    path = "/api/v1/get_all_invoice_ids/"
    anonymous = api_client.get(path)
    without_the_face = bearer_client(UserFactory(perms=["invoices.view_invoice"])).get(path)
    assert (anonymous.status_code, without_the_face.status_code) == (401, 403)
    assert conforms(openapi, path, anonymous) == []
    assert conforms(openapi, path, without_the_face) == []


def test_a_schema_check_finds_a_wrong_answer(openapi, client, ledger):
    """The check above can fail: an answer with a key too many, or a number
    where the schema says string, is not what the schema says."""
    response = client.get(f"/api/v1/get_invoice_details/{ledger['paid'].pk}")
    body = response.json()
    path = "/api/v1/get_invoice_details/{invoice_id}/"
    for wrong in ({**body[0], "extra": ""}, {**body[0], "amount": 100}):
        response.content = json.dumps([wrong]).encode()
        assert conforms(openapi, path, response) != []


@pytest.mark.parametrize("ids", [[7], [1, 20, 300], list(range(1, 2500))])
def test_the_streamed_id_map_is_the_shape_of_every_id(ids):
    chunks = [ids[start : start + 1000] for start in range(0, len(ids), 1000)]
    streamed = "{" + ",".join(map(written_by(IspInvoiceIdMapSerializer), chunks)) + "}"
    assert json.loads(streamed) == {str(pk): pk for pk in ids}
    assert json.loads(streamed) == IspInvoiceIdMapSerializer(ids).data


def test_the_error_body_is_a_plain_json_object():
    """What answers an error anywhere under the face's paths, views or not."""
    body = error_body("Not found.", 404, {"detail": "Not found."})
    assert type(body) is dict
    assert json.loads(json.dumps(body)) == {
        "status": "error",
        "errorCode": 404,
        "message": "Not found.",
    }
