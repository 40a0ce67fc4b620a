"""Seeing every customer is a grant (staff, or ``invoices.view_all_customers``),
never the absence of customer links: a user linked to no customer, or unlinked
from its last one, sees nothing on any face."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from billing_site.api.models import FACES, face_permission
from billing_site.testing import bearer_client
from bills.models import Bill, Collection
from invoices.models import VIEW_ALL_CUSTOMERS, Customer, Invoice
from invoices.tests.factories import UserFactory
from payments.models import Payment
from reports.models import BillingReport, Service

pytestmark = pytest.mark.django_db

USAGE = {
    "resource_id": "i-1",
    "resource_name": "web-1",
    "service": "EC2",
    "region": "us-west-1",
    "start_time": "2022-01-01T00:00:00Z",
    "end_time": "2022-01-01T01:00:00Z",
    "duration": 3600,
    "cost": "0.50",
}


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=StringIO())
    customer = Customer.objects.order_by("pk").first()
    staff = bearer_client(UserFactory(is_staff=True, is_superuser=True))
    assert staff.post(
        "/api/v1/usage/", {**USAGE, "customer_id": customer.pk}, format="json"
    ).status_code in (200, 201)
    return staff


def every_view_permission():
    """Every model and face permission but the grant: a user who may read
    everything it sees."""
    permissions = Permission.objects.filter(
        content_type__app_label__in=["invoices", "payments", "reports", "bills", "api"]
    ).exclude(codename="view_all_customers")
    faces = [face_permission(face) for face in FACES]
    return [f"{p.content_type.app_label}.{p.codename}" for p in permissions] + faces


def body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(content)


def sightings(client) -> dict:
    """What ``client`` sees of the demo data on every face: counts, and the
    status of a read of one record of each kind."""
    invoice = Invoice.objects.exclude(status="draft").exclude(order_id="").order_by("pk").first()
    report = BillingReport.objects.order_by("pk").first()
    bill = Bill.objects.select_related("invoice").order_by("pk").first()
    collection = Collection.objects.get(code="demo")
    reference = {"orderID": invoice.order_id, "billingNumber": invoice.number}
    usage = client.post(
        "/api/v1/usage/report",
        {"start_date": "2022-01-01", "end_date": "2022-01-31"},
        format="json",
    )
    return {
        "check": client.post("/checkPaymentStatus", reference, format="json").status_code,
        "all billing": len(body(client.get("/getAllBilling"))),
        "invoices": len(body(client.get("/api/v1/invoices/"))),
        "invoice": client.get(f"/api/v1/invoices/{invoice.pk}/").status_code,
        "customers": len(body(client.get("/api/v1/customers/"))),
        "customer": client.get(f"/api/v1/customers/{invoice.customer_id}/").status_code,
        "isp ids": len(body(client.get("/api/v1/get_all_invoice_ids"))),
        "isp invoice": client.get(f"/api/v1/get_invoice_details/{invoice.pk}").status_code,
        "reports": len(body(client.get("/api/v2/reports/"))),
        "report": client.get(f"/api/v2/reports/{report.pk}/").status_code,
        "orders": len(body(client.get("/api/v2/orders/"))),
        "bills": len(body(client.get(f"/api/collections/{collection.code}/bills"))["data"]),
        "bill": client.get(f"/api/collections/{collection.code}/bills/{bill.bill_no}").status_code,
        "usage": len(usage.json()["usage"]),
    }


NOTHING = {
    "check": 404,
    "all billing": 0,
    "invoices": 0,
    "invoice": 404,
    "customers": 0,
    "customer": 404,
    "isp ids": 0,
    "isp invoice": 404,
    "reports": 0,
    "report": 404,
    "orders": 0,
    "bills": 0,
    "bill": 404,
    "usage": 0,
}


def sees_everything(seen: dict) -> bool:
    return all(seen[key] == 200 if NOTHING[key] == 404 else seen[key] > 0 for key in seen)


def test_a_user_linked_to_no_customer_sees_nothing_on_any_face(demo):
    client = bearer_client(UserFactory(perms=every_view_permission()))
    assert sightings(client) == NOTHING
    invoice = Invoice.objects.exclude(order_id="").filter(status="open").first()
    reference = {"orderID": invoice.order_id, "billingNumber": invoice.number}
    paid_before = Payment.objects.count()
    assert client.post("/updatePaymentStatus", reference, format="json").status_code == 404
    assert Payment.objects.count() == paid_before


def test_unlinking_a_user_from_its_last_customer_leaves_it_nothing(demo):
    user = UserFactory(perms=every_view_permission())
    customer = Invoice.objects.exclude(order_id="").order_by("pk").first().customer
    customer.users.add(user)
    client = bearer_client(user)
    assert sightings(client)["check"] == 200
    customer.users.remove(user)
    assert sightings(client) == NOTHING


def test_seeing_every_customer_is_the_grant_or_staff(demo):
    granted = bearer_client(UserFactory(perms=[*every_view_permission(), VIEW_ALL_CUSTOMERS]))
    assert sightings(granted) == sightings(demo)
    assert sees_everything(sightings(granted))


def test_the_demo_gateway_user_holds_the_grant(api_client, demo):
    token = api_client.post(
        "/login", {"username": "gateway", "password": "gateway-demo-password"}, format="json"
    ).json()["access_token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    check = api_client.post(
        "/checkPaymentStatus", {"orderID": 4499494, "billingNumber": 333333}, format="json"
    )
    assert check.status_code == 200
    assert len(body(api_client.get("/getAllBilling"))) == Invoice.objects.billing_records().count()


SHARED_PERMS = [
    face_permission("reports"),
    face_permission("bills"),
    "reports.view_service",
    "reports.add_service",
    "reports.change_service",
    "reports.delete_service",
    "bills.view_collection",
    "bills.add_collection",
    "api.use_bills",
]


@pytest.mark.parametrize("linked", [True, False])
def test_a_customer_scoped_user_changes_no_shared_object(demo, linked):
    user = UserFactory(perms=SHARED_PERMS)
    if linked:
        Customer.objects.order_by("pk").first().users.add(user)
    client = bearer_client(user)
    service = Service.objects.order_by("pk").first()
    name = service.name
    new = {"name": "Renamed"}
    for response in (
        client.post("/api/v2/services/", new, format="json"),
        client.put(f"/api/v2/services/{service.pk}/", new, format="json"),
        client.patch(f"/api/v2/services/{service.pk}/", new, format="json"),
        client.delete(f"/api/v2/services/{service.pk}/"),
    ):
        assert response.status_code == 403
        assert set(response.json()) == {"detail"}  # the reports face's shape
    service.refresh_from_db()
    assert service.name == name
    assert Service.objects.filter(name="Renamed").count() == 0
    assert client.get(f"/api/v2/services/{service.pk}/").status_code == 200  # reads stay
    collections = Collection.objects.count()
    response = client.post("/api/collections/", {"code": "mine", "title": "Mine"}, format="json")
    assert response.status_code == 403
    assert set(response.json()) == {"message", "errors"}  # the bills face's shape
    assert Collection.objects.count() == collections


def test_users_who_see_every_customer_change_shared_objects(demo):
    client = bearer_client(UserFactory(perms=[*SHARED_PERMS, VIEW_ALL_CUSTOMERS]))
    service = Service.objects.order_by("pk").first()
    assert client.post("/api/v2/services/", {"name": "New"}, format="json").status_code == 201
    response = client.patch(f"/api/v2/services/{service.pk}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 200
    assert (
        client.post("/api/collections/", {"code": "mine", "title": "Mine"}, format="json")
    ).status_code == 201
    # Without the model permission, the grant alone changes nothing.
    bare = bearer_client(
        UserFactory(perms=[face_permission("reports"), "reports.view_service", VIEW_ALL_CUSTOMERS])
    )
    assert bare.post("/api/v2/services/", {"name": "X"}, format="json").status_code == 403
