"""The OpenAPI schema as client generators and linters read it: JSON request
bodies, named and documented operations, one error component a face, tags,
servers, enums, typed arrays, and Redocly's recommended rules."""

import json
import os
import subprocess
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from billing_site.api.schema import COMMON_ERRORS

# Operation ids a generated client's callers rely on.
RELIED_ON_IDS = {
    "login",
    "checkPaymentStatus",
    "updatePaymentStatus",
    "getAllBilling",
    "createCustomer",
    "createInvoice",
    "issueInvoice",
    "createOrder",
    "generateReport",
    "getReport",
    "downloadReport",
    "listInvoices",
}
# The error component each path's operations answer errors with, and the one of
# their 400s where the face words those apart, by path prefix, longest first.
FACE_ERRORS = (
    ("/api/v1/get_", "IspError", "IspError"),
    ("/api/v1/", "InvoicesError", "InvoicesError"),
    ("/api/v2/", "Detail", "ReportsError"),
    ("/api/collections/", "BillsError", "BillsError"),
    ("/api/payments/", "BillsError", "BillsError"),
    ("/api/auth/", "Detail", "ValidationError"),
    ("/login", "Detail", "LoginError"),
    ("/invoices/", "Detail", "ValidationError"),
    ("/receipts/", "Detail", "ValidationError"),
    ("/billing/", "Detail", "ValidationError"),
    ("/", "GatewayError", "GatewayError"),
)
# The signed links answer as no face does, but a token their route does not
# match falls to the unknown route, which answers in the gateway's shape.
SIGNED_LINKS = ("/invoices/", "/receipts/", "/billing/")
REDOCLY = Path(settings.BASE_DIR) / "node_modules" / ".bin" / "redocly"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    """Every (method, path, operation) of the schema."""
    for path, path_item in schema["paths"].items():
        for method, operation in path_item.items():
            yield method, path, operation


def nodes(value, where=""):
    """Every mapping in ``value`` with where it is, depth first."""
    if isinstance(value, dict):
        yield where, value
        for key, item in value.items():
            yield from nodes(item, f"{where}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nodes(item, f"{where}/{index}")


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def expected_error(path: str, code: str) -> dict:
    if path == "/login" and code == "429":
        return ref("GatewayError")  # a lock-out, in the gateway clients' shape
    if path.startswith(SIGNED_LINKS) and code == "404":
        return {"oneOf": [ref("Detail"), ref("GatewayError")]}
    for prefix, error, bad_request in FACE_ERRORS:
        if path.startswith(prefix):
            return ref(bad_request if code == "400" else error)
    raise AssertionError(path)


def test_operation_ids_are_camel_case_and_unique(schema):
    ids = [operation["operationId"] for _, _, operation in operations(schema)]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert operation_id[0].islower() and operation_id.isalnum(), operation_id
    assert set(ids) >= RELIED_ON_IDS


def test_the_operation_ids_name_their_routes(schema):
    ids = {
        (method, path): operation["operationId"] for method, path, operation in operations(schema)
    }
    assert ids["post", "/login"] == "login"
    assert ids["get", "/api/v1/invoices/"] == "listInvoices"
    assert ids["post", "/api/v1/invoices/{id}/issue/"] == "issueInvoice"
    assert ids["get", "/api/v1/get_invoice_details/{invoice_id}/"] == "getInvoiceDetails"
    assert ids["post", "/api/v2/reports/generate/"] == "generateReport"
    assert ids["get", "/api/v2/reports/{id}/download/"] == "downloadReport"
    assert ids["post", "/api/payments/callback/{provider}/"] == "paymentCallback"
    assert ids["post", "/api/auth/token/"] == "obtainToken"


def test_every_request_body_is_json(schema):
    for method, path, operation in operations(schema):
        if "requestBody" in operation:
            media_types = set(operation["requestBody"]["content"])
            assert "application/json" in media_types, (method, path)
            assert "*/*" not in media_types, (method, path)


def test_the_gateway_request_is_a_typed_component(schema):
    for path in ("/checkPaymentStatus", "/updatePaymentStatus"):
        body = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        assert body["schema"] == ref("BillingReferenceRequest")
    reference = schema["components"]["schemas"]["BillingReferenceRequest"]
    assert reference["type"] == "object"
    assert {"orderID", "orderId", "billingNumber"} <= set(reference["properties"])
    # An anyOf of required lists makes generators give up the body's type.
    assert "anyOf" not in reference


def test_every_array_has_an_item_type(schema):
    for where, node in nodes(schema):
        if node.get("type") == "array":
            assert "items" in node, where


def test_every_error_answer_is_its_faces_component(schema):
    for method, path, operation in operations(schema):
        errors = {code: answer for code, answer in operation["responses"].items() if code >= "4"}
        assert set(errors) >= set(COMMON_ERRORS), (method, path)
        for code, answer in errors.items():
            assert answer["description"], (method, path, code)
            for media in answer["content"].values():
                assert media["schema"] == expected_error(path, code), (method, path, code)


def test_the_error_components_are_the_faces_shapes(schema):
    components = schema["components"]["schemas"]
    assert components["GatewayError"]["properties"]["success"]["$ref"].endswith("Enum")
    assert set(components["GatewayError"]["required"]) == {"success", "message"}
    assert set(components["IspError"]["required"]) == {"status", "errorCode", "message"}
    for name in ("InvoicesError", "ValidationError"):
        assert components[name]["properties"] == {"detail": {"type": "string"}}
        assert "additionalProperties" in components[name]
    assert set(components["ReportsError"]["properties"]) == {"error", "errors"}
    assert set(components["BillsError"]["required"]) == {"message", "errors"}
    assert components["Detail"]["required"] == ["detail"]


def test_the_error_components_describe_real_answers(api_client, schema):
    """The bodies the faces answer an unknown id with fit their components."""
    jsonschema = pytest.importorskip("jsonschema")
    components = schema["components"]
    for path, name in (
        ("/api/v1/invoices/999999/", "InvoicesError"),
        ("/api/v1/get_invoice_details/999999/", "IspError"),
        ("/api/v2/reports/999999/", "Detail"),
        ("/api/collections/nope/", "BillsError"),
        ("/getAllBilling?status=bad", "GatewayError"),
    ):
        response = api_client.get(path)
        assert response.status_code in (400, 401, 404), path
        jsonschema.validate(response.json(), {**ref(name), "components": components})


def test_every_operation_is_documented_with_an_example(schema):
    for method, path, operation in operations(schema):
        assert operation.get("summary"), (method, path)
        assert operation.get("description"), (method, path)
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        answers = [
            media
            for answer in operation["responses"].values()
            for media in answer.get("content", {}).values()
        ]
        if "requestBody" in operation:
            assert body.get("examples"), (method, path)
        else:
            assert any(media.get("examples") for media in answers), (method, path)


def test_the_examples_show_the_gateway_as_its_clients_know_it(schema):
    check = schema["paths"]["/checkPaymentStatus"]["post"]
    answer = check["responses"]["200"]["content"]["application/json"]["examples"]["default"]
    assert answer["value"]["paymentAmount"] == "50000.00"
    assert answer["value"]["success"] == "true"
    missing = check["responses"]["400"]["content"]["application/json"]["examples"]["default"]
    assert missing["value"] == {
        "success": "false",
        "message": "Order ID and Billing Number are required",
    }


def test_each_operation_has_its_faces_tag(schema):
    tags = {tag["name"]: tag for tag in schema["tags"]}
    assert set(tags) == {"gateway", "invoices", "isp", "reports", "bills", "auth", "documents"}
    assert all(tag["description"] for tag in tags.values())
    for method, path, operation in operations(schema):
        assert len(operation["tags"]) == 1 and operation["tags"][0] in tags, (method, path)
    paths = schema["paths"]
    assert paths["/getAllBilling"]["get"]["tags"] == ["gateway"]
    assert paths["/api/v1/customers/"]["post"]["tags"] == ["invoices"]
    assert paths["/api/v1/get_all_invoices/"]["get"]["tags"] == ["isp"]
    assert paths["/api/v2/reports/generate/"]["post"]["tags"] == ["reports"]
    assert paths["/api/collections/"]["get"]["tags"] == ["bills"]
    assert paths["/login"]["post"]["tags"] == ["auth"]
    assert paths["/invoices/{token}.pdf"]["get"]["tags"] == ["documents"]


def test_every_operation_states_its_security(schema):
    for method, path, operation in operations(schema):
        assert "security" in operation, (method, path)
    assert schema["paths"]["/login"]["post"]["security"] == []
    assert schema["paths"]["/getAllBilling"]["get"]["security"] == [{"jwtAuth": []}]


def test_the_schema_generated_offline_names_the_configured_server(schema):
    assert schema["servers"] == [{"url": settings.SCHEMA_SERVER_URL}]


@pytest.mark.django_db
def test_the_served_schema_names_the_server_it_was_asked_of(api_client):
    response = api_client.get("/api/schema/", HTTP_HOST="testserver")
    assert response.status_code == 200
    assert yaml.safe_load(response.content)["servers"] == [{"url": "http://testserver"}]


def test_statuses_methods_and_formats_are_named_enums(schema):
    components = schema["components"]["schemas"]
    enums = {
        "InvoiceStatusEnum": {"draft", "open", "partially_paid", "overdue", "paid", "void"},
        "PaymentMethodEnum": {"gateway", "card", "bank_transfer", "cash", "manual"},
        "PaymentMethodInputEnum": {"card", "credit_card"},
        "ReportFormatEnum": {"csv", "json", "pdf"},
        "BillStatusEnum": {1, 2, 3, 4, 5},
        "PaymentStatusEnum": {"paid", "unpaid"},
        "CustomerStatusEnum": {"active", "inactive"},
        "CreditNoteModeEnum": {"reduce_invoice", "customer_credit"},
    }
    for name, values in enums.items():
        assert values <= set(components[name]["enum"]), name
    properties = {
        ("Invoice", "status"): "InvoiceStatusEnum",
        ("InvoiceBalance", "status"): "InvoiceStatusEnum",
        ("Payment", "method"): "PaymentMethodEnum",
        ("BillPayment", "method"): "PaymentMethodEnum",
        ("PaymentCreateRequest", "method"): "PaymentMethodInputEnum",
        ("GenerateReportRequest", "output_format"): "ReportFormatEnum",
        ("Bill", "status"): "BillStatusEnum",
        ("BillingRecord", "paymentStatus"): "PaymentStatusEnum",
        ("InvoiceCreditNote", "mode"): "CreditNoteModeEnum",
    }
    for (component, field), name in properties.items():
        prop = components[component]["properties"][field]
        assert ref(name) in [prop, *prop.get("allOf", []), *prop.get("oneOf", [])], component
    download = schema["paths"]["/api/v2/reports/{id}/download/"]["get"]["parameters"]
    formats = next(parameter for parameter in download if parameter["name"] == "format")
    assert set(formats["schema"]["enum"]) == {"csv", "json", "pdf"}


def test_no_property_is_nullable_without_a_type(schema):
    for where, node in nodes(schema):
        if node.get("nullable"):
            assert "type" in node, where


def test_schema_generates_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=StringIO())


@pytest.mark.skipif(
    not os.environ.get("CI") and not REDOCLY.exists(),
    reason="no node_modules/.bin/redocly here: npm ci installs it",
)
def test_redocly_lints_the_schema_clean(tmp_path):
    path = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(path))
    json.loads(path.read_text())  # written whole
    result = subprocess.run(
        [str(REDOCLY), "lint", str(path), "--format", "stylish"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in result.stdout, result.stdout
