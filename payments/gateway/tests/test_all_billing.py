import json
import tracemalloc
from decimal import Decimal

import pytest

from billing_site.testing import bearer_client
from invoices.models import Invoice
from invoices.tests.factories import CustomerFactory, InvoiceFactory, UserFactory
from payments.gateway import selectors

pytestmark = pytest.mark.django_db


def all_billing(client, query=""):
    response = client.get(f"/getAllBilling{query}")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, json.loads(body)


def test_lists_every_record_as_a_bare_array(gateway_client):
    customer = CustomerFactory(name="Ahmed Rahman", account_number="73737373")
    first = InvoiceFactory(
        customer=customer,
        number="333333",
        order_id="4499494",
        currency="IQD",
        amount=Decimal("50000"),
        description="test",
    )
    second = InvoiceFactory(number="INV-7", order_id="ORD-7", amount=Decimal("12.50"))
    response, body = all_billing(gateway_client)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert body == [
        {
            "billingNumber": 333333,
            "createdAt": first.created_at.isoformat(timespec="seconds"),
            "currency": "IQD",
            "customerAccountName": "Ahmed Rahman",
            "customerID": 73737373,
            "description": "test",
            "message": "retrieved successfully",
            "orderID": 4499494,
            "paymentAmount": "50000.00",
            "paymentStatus": "unpaid",
            "success": "true",
        },
        {
            "billingNumber": "INV-7",
            "createdAt": second.created_at.isoformat(timespec="seconds"),
            "currency": "USD",
            "customerAccountName": second.customer.name,
            "customerID": int(second.customer.account_number),
            "description": "Monthly service",
            "message": "retrieved successfully",
            "orderID": "ORD-7",
            "paymentAmount": "12.50",
            "paymentStatus": "unpaid",
            "success": "true",
        },
    ]


def test_drafts_and_void_invoices_are_not_listed(gateway_client):
    InvoiceFactory(issue=False)
    void = InvoiceFactory()
    Invoice.objects.filter(pk=void.pk).update(status="void")
    _, body = all_billing(gateway_client)
    assert body == []


def test_empty_ledger_is_an_empty_array(gateway_client):
    response, body = all_billing(gateway_client)
    assert (response.status_code, body) == (200, [])


def test_status_filter(gateway_client):
    paid = InvoiceFactory()
    Invoice.objects.filter(pk=paid.pk).update(status="paid", amount_paid=paid.total)
    unpaid = InvoiceFactory()
    _, body = all_billing(gateway_client, "?status=paid")
    assert [row["billingNumber"] for row in body] == [int(paid.number)]
    _, body = all_billing(gateway_client, "?status=unpaid")
    assert [row["billingNumber"] for row in body] == [int(unpaid.number)]


@pytest.mark.parametrize(
    "query", ["?status=maybe", "?status=", "?sort=id", "?page=2", "?status=paid&status=unpaid"]
)
def test_bad_query_is_400(gateway_client, query):
    response = gateway_client.get(f"/getAllBilling{query}")
    assert response.status_code == 400
    assert response.json()["success"] == "false"


def test_streams_across_batches(gateway_client, monkeypatch):
    InvoiceFactory.create_batch(7)
    original = selectors.billing_record_batches
    monkeypatch.setattr(
        "payments.gateway.views.billing_record_batches",
        lambda **kwargs: original(batch_size=3, **kwargs),
    )
    response, body = all_billing(gateway_client)
    assert response.streaming
    assert len(body) == 7
    assert len({row["billingNumber"] for row in body}) == 7


def test_customers_let_go_past_the_bound_are_read_again(gateway_client, monkeypatch):
    monkeypatch.setattr(selectors, "KNOWN_CUSTOMERS_BOUND", 2)
    original = selectors.billing_record_batches
    monkeypatch.setattr(
        "payments.gateway.views.billing_record_batches",
        lambda **kwargs: original(batch_size=2, **kwargs),
    )
    first, *others = CustomerFactory.create_batch(4)
    # batches: first, 2nd | 3rd, first | 4th, first: the bound is passed with the
    # first customer still wanted
    for customer in (first, others[0], others[1], first, others[2], first):
        InvoiceFactory(customer=customer)
    _, body = all_billing(gateway_client)
    assert [row["customerAccountName"] for row in body] == [
        customer.name for customer in (first, others[0], others[1], first, others[2], first)
    ]


def test_lists_only_the_linked_customers_records():
    mine = InvoiceFactory()
    InvoiceFactory()
    user = UserFactory(perms=["api.use_gateway"])
    mine.customer.users.add(user)
    _, body = all_billing(bearer_client(user))
    assert [row["billingNumber"] for row in body] == [int(mine.number)]


@pytest.mark.parametrize("count", [2, 40])
def test_query_count_does_not_grow_with_records(gateway_client, count, django_assert_num_queries):
    InvoiceFactory.create_batch(count)
    # user, token deny-list, permissions, one batch of invoices, its customers, log row
    with django_assert_num_queries(6):
        _, body = all_billing(gateway_client)
    assert len(body) == count


def _streamed_peak_memory(client, count):
    """Peak Python memory while streaming getAllBilling over ``count`` invoices."""
    Invoice.objects.all().delete()
    customer = CustomerFactory()
    Invoice.objects.bulk_create(
        Invoice(
            customer=customer,
            number=f"M{i}",
            order_id=f"O{i}",
            currency="USD",
            total=Decimal("10.00"),
            status="open",
        )
        for i in range(count)
    )
    tracemalloc.start()
    response = client.get("/getAllBilling")
    records = sum(chunk.count(b'"success":"true"') for chunk in response.streaming_content)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert records == count
    return peak


def test_memory_stays_flat_as_records_grow(gateway_client, monkeypatch):
    original = selectors.billing_record_batches
    monkeypatch.setattr(
        "payments.gateway.views.billing_record_batches",
        lambda **kwargs: original(batch_size=200, **kwargs),
    )
    _streamed_peak_memory(gateway_client, 10)  # first use: imports and caches
    small = _streamed_peak_memory(gateway_client, 1000)
    large = _streamed_peak_memory(gateway_client, 10000)
    # Ten times the records, about the same peak: nothing holds the whole list.
    assert large < small * 1.5, (small, large)
