"""The bills API needs its face's permission (``api.use_bills``): every model
permission without it reads and changes nothing through this face."""

import pytest
from django.contrib.auth.models import Permission

from billing_site.testing import bearer_client
from bills.models import Bill, Collection
from bills.services import collection_create
from bills.tests.test_bills_api import DOCUMENT_BILL, make_bill
from invoices.models import Invoice
from invoices.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def every_permission(*, but: str = "") -> list[str]:
    """Every permission of every app (the grant to see every customer and the
    other faces' included), but the one named ``but``."""
    permissions = Permission.objects.exclude(codename=but).select_related("content_type")
    return [f"{p.content_type.app_label}.{p.codename}" for p in permissions]


def requests(bill_no: str):
    path = f"/api/collections/demo/bills/{bill_no}"
    return [
        ("get", "/api/collections/", None),
        ("get", "/api/collections/demo", None),
        ("post", "/api/collections/", {"code": "new", "title": "New"}),
        ("get", "/api/collections/demo/bills", None),
        ("post", "/api/collections/demo/bills", DOCUMENT_BILL),
        ("get", path, None),
        ("patch", path, {"ref1": "changed"}),
        ("patch", path, {"cancel": True}),
    ]


@pytest.fixture
def bill():
    return make_bill(collection_create(code="demo", title="Demo"))


def test_every_model_permission_without_the_face_is_403_in_the_faces_shape(bill):
    client = bearer_client(UserFactory(perms=every_permission(but="use_bills")))
    for method, path, body in requests(bill.bill_no):
        response = getattr(client, method)(path, body, format="json")
        assert response.status_code == 403, path
        assert response.json() == {
            "message": "You do not have permission to use this API.",
            "errors": {},
        }, path
    assert (Collection.objects.count(), Bill.objects.count()) == (1, 1)
    bill.refresh_from_db()
    assert bill.ref1 == DOCUMENT_BILL["ref1"]
    assert Invoice.objects.get(pk=bill.invoice_id).status == "open"


def test_with_the_face_the_same_user_may(bill):
    client = bearer_client(UserFactory(perms=every_permission()))
    statuses = [
        getattr(client, method)(path, body, format="json").status_code
        for method, path, body in requests(bill.bill_no)
    ]
    assert statuses == [200, 200, 201, 200, 200, 200, 200, 200]
    assert Invoice.objects.get(pk=bill.invoice_id).status == "void"
