"""The OpenAPI schema as client generators read it: JSON request bodies, named
operations, typed arrays."""

import pytest
from drf_spectacular.generators import SchemaGenerator

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
    assert ids["post", "/api/v2/reports/generate/"] == "generateReport"
    assert ids["get", "/api/v2/reports/{id}/download/"] == "downloadReport"
    assert ids["post", "/api/payments/callback/{provider}/"] == "paymentCallback"


def test_every_request_body_is_json(schema):
    for method, path, operation in operations(schema):
        if "requestBody" in operation:
            media_types = set(operation["requestBody"]["content"])
            assert "application/json" in media_types, (method, path)
            assert "*/*" not in media_types, (method, path)


def test_the_gateway_request_is_a_typed_component(schema):
    for path in ("/checkPaymentStatus", "/updatePaymentStatus"):
        body = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        assert body["schema"] == {"$ref": "#/components/schemas/BillingReferenceRequest"}
    reference = schema["components"]["schemas"]["BillingReferenceRequest"]
    assert reference["type"] == "object"
    assert {"orderID", "orderId", "billingNumber"} <= set(reference["properties"])
    # An anyOf of required lists makes generators give up the body's type.
    assert "anyOf" not in reference


def test_every_array_has_an_item_type(schema):
    for where, node in nodes(schema):
        if node.get("type") == "array":
            assert "items" in node, where
