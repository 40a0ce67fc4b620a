import json
from decimal import Decimal

import pytest

from billing_site.testing import bearer_client
from invoices.models import Invoice
from invoices.tests.factories import CustomerFactory, InvoiceFactory, UserFactory

pytestmark = pytest.mark.django_db

REQUIRED = {"success": "false", "message": "Order ID and Billing Number are required"}
NOT_FOUND = {"success": "false", "message": "Order ID or Billing Number not found"}


@pytest.fixture
def sample_invoice():
    """The sample record of document 000."""
    customer = CustomerFactory(name="Ahmed Rahman", account_number="73737373")
    return InvoiceFactory(
        customer=customer,
        number="333333",
        order_id="4499494",
        currency="IQD",
        amount=Decimal("50000"),
        description="test",
    )


def test_check_returns_the_record(gateway_client, sample_invoice):
    response = gateway_client.post(
        "/checkPaymentStatus", {"orderID": 4499494, "billingNumber": 333333}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "billingNumber": 333333,
        "createdAt": sample_invoice.created_at.isoformat(timespec="seconds"),
        "currency": "IQD",
        "customerAccountName": "Ahmed Rahman",
        "customerID": 73737373,
        "description": "test",
        "message": "successful",
        "orderID": 4499494,
        "paymentAmount": "50000.00",
        "paymentStatus": "unpaid",
        "success": "true",
    }
    assert list(body) == sorted(body)


@pytest.mark.parametrize(
    "payload",
    [
        {"orderId": 4499494, "billingNumber": 333333},
        {"orderID": "4499494", "billingNumber": "333333"},
        {"orderID": " 4499494 ", "billingNumber": 333333},
        {"orderID": 4499494.0, "billingNumber": 333333},
    ],
)
def test_check_accepts_both_key_spellings_and_numbers_as_strings(
    gateway_client, sample_invoice, payload
):
    response = gateway_client.post("/checkPaymentStatus", payload, format="json")
    assert response.status_code == 200
    assert response.json()["orderID"] == 4499494


def test_check_with_and_without_trailing_slash(gateway_client, sample_invoice):
    payload = {"orderID": 4499494, "billingNumber": 333333}
    assert gateway_client.post("/checkPaymentStatus/", payload, format="json").status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"billingNumber": 333333},
        {"orderID": 4499494},
        {"orderID": 0, "billingNumber": 333333},
        {"orderID": "", "billingNumber": 333333},
        {"orderID": "   ", "billingNumber": 333333},
        {"orderID": None, "billingNumber": 333333},
        {"orderID": 4499494, "billingNumber": 0},
    ],
)
def test_check_missing_keys_are_400(gateway_client, sample_invoice, payload):
    response = gateway_client.post("/checkPaymentStatus", payload, format="json")
    assert response.status_code == 400
    assert response.json() == REQUIRED


@pytest.mark.parametrize("value", [True, [4499494], {"id": 4499494}, 1.5, -4, "x" * 65, "44\x0094"])
def test_check_wrong_types_are_400_naming_the_field(gateway_client, sample_invoice, value):
    response = gateway_client.post(
        "/checkPaymentStatus", {"orderID": value, "billingNumber": 333333}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["success"] == "false"
    assert body["message"].startswith("orderID: must be a positive integer or a string")


def test_check_unknown_record_is_404(gateway_client, sample_invoice):
    for payload in (
        {"orderID": 4499494, "billingNumber": 1},
        {"orderID": 1, "billingNumber": 333333},
    ):
        response = gateway_client.post("/checkPaymentStatus", payload, format="json")
        assert response.status_code == 404
        assert response.json() == NOT_FOUND


@pytest.mark.parametrize(
    "body", ['{"orderID": 4499494,', "not json", "[1, 2]", '"text"', "NaN", '{"orderID": NaN}']
)
def test_check_malformed_or_non_object_json_is_400(gateway_client, sample_invoice, body):
    response = gateway_client.post("/checkPaymentStatus", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["success"] == "false"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_check_reads_json_whatever_the_declared_type(gateway_client, sample_invoice, content_type):
    good = json.dumps({"orderID": 4499494, "billingNumber": 333333})
    response = gateway_client.post("/checkPaymentStatus", good, content_type=content_type)
    assert response.status_code == 200
    response = gateway_client.post(
        "/checkPaymentStatus", "orderID=4499494", content_type=content_type
    )
    assert response.status_code == 400
    assert response.json()["success"] == "false"


def test_check_wrong_method_is_405(gateway_client):
    response = gateway_client.get("/checkPaymentStatus")
    assert response.status_code == 405
    assert response.json() == {"success": "false", "message": 'Method "GET" not allowed.'}


def test_check_hides_other_customers_records(sample_invoice):
    own = InvoiceFactory()
    user = UserFactory(perms=["api.use_gateway"])
    own.customer.users.add(user)
    client = bearer_client(user)
    hidden = client.post(
        "/checkPaymentStatus", {"orderID": 4499494, "billingNumber": 333333}, format="json"
    )
    assert hidden.status_code == 404
    mine = client.post(
        "/checkPaymentStatus", {"orderID": own.order_id, "billingNumber": own.number}, format="json"
    )
    assert mine.status_code == 200


def test_check_reports_a_paid_invoice(gateway_client, sample_invoice):
    Invoice.objects.filter(pk=sample_invoice.pk).update(status="paid", amount_paid="50000")
    response = gateway_client.post(
        "/checkPaymentStatus", {"orderID": 4499494, "billingNumber": 333333}, format="json"
    )
    assert response.json()["paymentStatus"] == "paid"


def test_check_runs_a_constant_number_of_queries(
    gateway_client, sample_invoice, django_assert_num_queries
):
    payload = json.dumps({"orderID": 4499494, "billingNumber": 333333})
    gateway_client.post("/checkPaymentStatus", payload, content_type="application/json")
    # user, permissions (own and groups', one query), invoice with its customer, log row
    with django_assert_num_queries(4):
        response = gateway_client.post(
            "/checkPaymentStatus", payload, content_type="application/json"
        )
    assert response.status_code == 200


@pytest.mark.parametrize("number", ["1e999999", "1e99999999", "1e400", "1e-99999999", "9" * 4000])
def test_huge_numbers_are_refused_at_once(gateway_client, sample_invoice, number):
    body = f'{{"orderID": {number}, "billingNumber": 333333}}'
    response = gateway_client.post("/checkPaymentStatus", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["success"] == "false"
