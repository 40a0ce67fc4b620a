import json
from decimal import Decimal

import pytest

from billing_site.testing import bearer_client
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import CustomerFactory, UserFactory
from reports.models import Order, OrderServiceCost, Service
from reports.tests.wire import content, exact_json

pytestmark = pytest.mark.django_db

PERMS = [
    "api.use_reports",
    "reports.view_service",
    "reports.add_service",
    "reports.view_order",
    "reports.add_order",
    "reports.delete_order",
    "invoices.view_customer",
]


@pytest.fixture
def client():
    return bearer_client(UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS]))


@pytest.fixture
def services():
    return {name: Service.objects.create(name=name) for name in ("Picking", "Shipping")}


def order_body(customer, reference="REF-1", **changes):
    return {
        "customer_id": customer.pk,
        "reference_number": reference,
        "order_date": "2023-01-15",
        **changes,
    }


def rows(response) -> list:
    """The bare JSON array a list streams."""
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def test_create_a_service(client):
    response = client.post("/api/v2/services/", {"name": "Packing"}, format="json")
    assert response.status_code == 201
    assert response.json()["name"] == "Packing"
    assert client.post("/api/v2/services", {"name": "Packing"}, format="json").status_code == 400
    assert client.post("/api/v2/services/", {}, format="json").json() == {
        "error": "name: This field is required.",
        "errors": {"name": ["This field is required."]},
    }
    assert [row["name"] for row in rows(client.get("/api/v2/services/"))] == ["Packing"]


def test_create_an_order_with_its_service_costs(client, services):
    customer = CustomerFactory()
    response = client.post(
        "/api/v2/orders/",
        order_body(
            customer,
            service_costs=[
                {"service_id": services["Picking"].pk, "amount": "500.00"},
                {"service_id": services["Shipping"].pk, "amount": 1000.5},
            ],
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = exact_json(response)
    assert body["total_amount"] == Decimal("1500.50")
    assert body["service_costs"] == [
        {
            "service_id": services["Picking"].pk,
            "service_name": "Picking",
            "amount": Decimal("500.00"),
        },
        {
            "service_id": services["Shipping"].pk,
            "service_name": "Shipping",
            "amount": Decimal("1000.50"),
        },
    ]
    # Amounts are JSON numbers with the currency's places, as the reports write them.
    assert b'"total_amount":1500.50,' in content(response)
    assert b'"amount":500.00}' in content(response)
    assert OrderServiceCost.objects.filter(order_id=body["id"]).count() == 2


def test_bulk_orders_are_all_or_nothing(client, services):
    customer = CustomerFactory()
    costs = [{"service_id": services["Picking"].pk, "amount": "1.00"}]
    good = [order_body(customer, f"B-{index}", service_costs=costs) for index in range(50)]
    response = client.post("/api/v2/orders/", good, format="json")
    assert response.status_code == 201
    assert len(response.json()) == 50
    bad = [
        order_body(customer, "C-1", service_costs=costs),
        order_body(customer, "C-2", service_costs=[{"service_id": 999999, "amount": "1"}]),
    ]
    response = client.post("/api/v2/orders/", bad, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["errors"][1]["service_costs"] == ["Service with ID 999999 not found"]
    assert not Order.objects.filter(reference_number="C-1").exists()


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"customer_id": 999999}, "customer_id"),
        ({"order_date": "2023-02-30"}, "order_date"),
        ({"reference_number": ""}, "reference_number"),
        ({"service_costs": "x"}, "service_costs"),
        ({"service_costs": [{"service_id": 1, "amount": "-1"}]}, "service_costs"),
        ({"service_costs": [{"service_id": 1, "amount": "1.001"}]}, "service_costs"),
    ],
)
def test_bad_orders_are_400(client, services, changes, field):
    body = order_body(
        CustomerFactory(), service_costs=[{"service_id": services["Picking"].pk, "amount": "1"}]
    )
    response = client.post("/api/v2/orders/", {**body, **changes}, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]
    assert not Order.objects.exists()


def test_duplicate_references_are_refused(client, services):
    customer = CustomerFactory()
    costs = [{"service_id": services["Picking"].pk, "amount": "1"}]
    assert (
        client.post(
            "/api/v2/orders/", order_body(customer, service_costs=costs), format="json"
        ).status_code
        == 201
    )
    again = client.post("/api/v2/orders/", order_body(customer, service_costs=costs), format="json")
    assert again.status_code == 400
    twice = client.post(
        "/api/v2/orders/", [order_body(customer, "D", service_costs=costs)] * 2, format="json"
    )
    assert twice.status_code == 400
    assert Order.objects.count() == 1


def test_orders_list_filter_and_visibility(client, services):
    mine, other = CustomerFactory(), CustomerFactory()
    costs = [{"service_id": services["Picking"].pk, "amount": "1"}]
    client.post(
        "/api/v2/orders/",
        [order_body(mine, "M", service_costs=costs), order_body(other, "O", service_costs=costs)],
        format="json",
    )
    listed = rows(client.get(f"/api/v2/orders/?customer_id={mine.pk}"))
    assert [row["reference_number"] for row in listed] == ["M"]
    assert client.get("/api/v2/orders/?date_from=bad").status_code == 400
    user = UserFactory(perms=PERMS)
    mine.users.add(user)
    linked = bearer_client(user)
    assert [row["reference_number"] for row in rows(linked.get("/api/v2/orders/"))] == ["M"]
    refused = linked.post(
        "/api/v2/orders/", order_body(other, "X", service_costs=costs), format="json"
    )
    assert refused.status_code == 400


@pytest.mark.parametrize("count", [1, 10])
def test_order_list_queries_are_constant(client, services, count, django_assert_num_queries):
    customer = CustomerFactory()
    costs = [{"service_id": service.pk, "amount": "1"} for service in services.values()]
    client.post(
        "/api/v2/orders/",
        [order_body(customer, f"Q{index}", service_costs=costs) for index in range(count)],
        format="json",
    )
    # user, permissions, orders, costs, their services, log row
    with django_assert_num_queries(6):
        assert len(rows(client.get("/api/v2/orders/"))) == count


def test_a_service_in_use_cannot_be_deleted(services):
    staff = bearer_client(UserFactory(is_staff=True, is_superuser=True))
    customer = CustomerFactory()
    staff.post(
        "/api/v2/orders/",
        order_body(customer, service_costs=[{"service_id": services["Picking"].pk, "amount": "1"}]),
        format="json",
    )
    response = staff.delete(f"/api/v2/services/{services['Picking'].pk}/")
    assert response.status_code == 409
    assert response.json() == {"detail": "This cannot be deleted: other records refer to it."}
    assert staff.delete(f"/api/v2/services/{services['Shipping'].pk}/").status_code == 204
