"""Every path that creates rows from a list in its body takes at most
MAX_ITEMS_PER_REQUEST of them (the orders' service costs: MAX_SERVICE_COSTS_PER_REQUEST
in all); the largest body allowed answers in under 2 s (rows written in bulk, not a
query each), one item more is refused in the face's own error shape."""

import json
import time

import pytest
from django.conf import settings

from bills.services import collection_create
from invoices.tests.factories import CustomerFactory
from reports.models import Order, OrderServiceCost, Service, UsageRecord

pytestmark = pytest.mark.django_db

LIMIT = settings.MAX_ITEMS_PER_REQUEST
BOUND_SECONDS = 2.0


def _post(client, path, body):
    """(response, seconds) of a JSON POST, checking the body is under the size limit."""
    assert len(json.dumps(body)) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    started = time.perf_counter()
    response = client.post(path, body, format="json", HTTP_ACCEPT="application/json")
    return response, time.perf_counter() - started


def _bill(products: int) -> dict:
    return {
        "due": "2030-06-25",
        "ref1": "Term 1",
        "ref2": "Student 42",
        "currency": "MYR",
        "customer": {"acc_no": "911111111111", "first_name": "RAUDHAH"},
        # Each one a new catalogue product: the most rows a bill can create.
        "product": [
            {"title": f"product {n}", "price": "10.00", "quantity": 1} for n in range(products)
        ],
    }


def test_a_bill_takes_at_most_the_limit_of_products(staff_client):
    collection_create(code="fees", title="Fees", organization_name="School")
    response, seconds = _post(staff_client, "/api/collections/fees/bills", _bill(LIMIT))
    assert response.status_code == 200, response.json()
    assert len(response.json()["product_collections"]) == LIMIT
    assert seconds < BOUND_SECONDS
    response, _ = _post(staff_client, "/api/collections/fees/bills", _bill(LIMIT + 1))
    assert response.status_code == 422
    body = response.json()
    assert f"no more than {LIMIT}" in body["message"] and "product" in body["errors"], body
    print(f"bill of {LIMIT} products: {seconds:.2f} s; {LIMIT + 1}: 422")


def _invoice(customer, lines: int) -> dict:
    return {
        "customer_id": customer.pk,
        "date": "2030-03-01",
        "due_date": "2030-03-31",
        "currency": "USD",
        "status": "open",
        "line_items": [
            {"description": f"Line {n}", "quantity": 1, "price": "1.00", "tax_rate": "10"}
            for n in range(lines)
        ],
    }


def test_an_invoice_takes_at_most_the_limit_of_line_items(staff_client):
    customer = CustomerFactory()
    response, seconds = _post(staff_client, "/api/v1/invoices/", _invoice(customer, LIMIT))
    assert response.status_code == 201, response.json()
    assert len(response.json()["line_items"]) == LIMIT and b'"total":1100.00,' in response.content
    assert seconds < BOUND_SECONDS
    response, _ = _post(staff_client, "/api/v1/invoices/", _invoice(customer, LIMIT + 1))
    assert response.status_code == 400
    assert f"no more than {LIMIT}" in str(response.json()["line_items"])
    print(f"invoice of {LIMIT} line items: {seconds:.2f} s; {LIMIT + 1}: 400")


def _orders(customer, services, count: int, *, prefix: str) -> list[dict]:
    return [
        {
            "customer_id": customer.pk,
            "reference_number": f"{prefix}-{n}",
            "order_date": "2030-01-15",
            "service_costs": [{"service_id": s.pk, "amount": "5.00"} for s in services],
        }
        for n in range(count)
    ]


def test_orders_of_one_post_and_their_costs_are_bounded(staff_client):
    customer = CustomerFactory()
    per_order = settings.MAX_SERVICE_COSTS_PER_REQUEST // LIMIT
    services = [Service.objects.create(name=f"Service {n}") for n in range(per_order + 1)]
    largest = _orders(customer, services[:per_order], LIMIT, prefix="A")
    response, seconds = _post(staff_client, "/api/v2/orders/", largest)
    assert response.status_code == 201, response.content[:500]
    assert Order.objects.count() == LIMIT
    assert OrderServiceCost.objects.count() == settings.MAX_SERVICE_COSTS_PER_REQUEST
    assert seconds < BOUND_SECONDS
    too_many_orders = _orders(customer, services[:1], LIMIT + 1, prefix="B")
    too_many_costs = _orders(customer, services, LIMIT, prefix="C")  # one cost too many each
    for body in (too_many_orders, too_many_costs):
        response, _ = _post(staff_client, "/api/v2/orders/", body)
        assert response.status_code == 400
        assert "error" in response.json(), response.json()
    assert Order.objects.count() == LIMIT
    print(
        f"{LIMIT} orders with {settings.MAX_SERVICE_COSTS_PER_REQUEST} service costs:"
        f" {seconds:.2f} s; {LIMIT + 1} orders or one cost more each: 400"
    )


def _usage(customer, count: int) -> list[dict]:
    return [
        {
            "customer_id": customer.pk,
            "resource_id": f"i-{n:017x}",
            "service": "EC2",
            "region": "us-west-1",
            "start_time": "2030-01-01T00:00:00Z",
            "end_time": "2030-01-01T01:00:00Z",
            "cost": "0.50",
        }
        for n in range(count)
    ]


def test_usage_records_of_one_post_are_bounded(staff_client):
    customer = CustomerFactory()
    response, seconds = _post(staff_client, "/api/v1/usage/", _usage(customer, LIMIT))
    assert response.status_code == 201, response.content[:500]
    assert UsageRecord.objects.filter(customer=customer).count() == LIMIT
    assert seconds < BOUND_SECONDS
    response, _ = _post(staff_client, "/api/v1/usage/", _usage(customer, LIMIT + 1))
    assert response.status_code == 400
    assert f"no more than {LIMIT}" in str(response.json())
    assert UsageRecord.objects.count() == LIMIT
    print(f"{LIMIT} usage records: {seconds:.2f} s; {LIMIT + 1}: 400")
