"""Least privilege: the gateway asks for its face's permission alone, and the demo
gateway user holds that and the grant to see every customer, nothing else."""

import pytest
from django.contrib.auth import get_user_model

from billing_site.testing import bearer_client
from invoices.models import Invoice
from invoices.tests.factories import UserFactory
from payments import demo

from .shapes import parsed

pytestmark = pytest.mark.django_db

OTHER_FACES = [
    "/api/v1/invoices/",
    "/api/v1/get_all_invoices",
    "/api/v2/reports/",
    "/api/collections/",
]
SAMPLE = {"orderID": 4499494, "billingNumber": 333333}


def quiet(*args):
    pass


def demo_gateway_client(api_client):
    username, password = demo.GATEWAY_USER
    login = api_client.post("/login", {"username": username, "password": password}, format="json")
    assert login.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access_token']}")
    return api_client


def test_the_demo_gateway_user_holds_the_gateways_permission_and_the_grant():
    demo.seed(out=quiet)
    user = get_user_model().objects.get(username=demo.GATEWAY_USER[0])
    assert user.get_all_permissions() == {"api.use_gateway", "invoices.view_all_customers"}
    assert not user.is_staff


def test_a_rerun_leaves_an_older_gateway_user_only_those():
    user = UserFactory(
        username=demo.GATEWAY_USER[0], perms=["invoices.view_invoice", "payments.add_payment"]
    )
    demo.seed(out=quiet)
    user = get_user_model().objects.get(pk=user.pk)
    assert user.get_all_permissions() == {"api.use_gateway", "invoices.view_all_customers"}


def test_the_demo_gateway_user_reaches_the_gateway_and_no_other_face(api_client):
    demo.seed(out=quiet)
    client = demo_gateway_client(api_client)
    for path in OTHER_FACES:
        assert client.get(path).status_code == 403, path
    check = client.post("/checkPaymentStatus", SAMPLE, format="json")
    assert (check.status_code, check.json()["paymentStatus"]) == (200, "unpaid")
    listing = client.get("/getAllBilling")
    assert listing.status_code == 200
    assert len(parsed(listing)) == Invoice.objects.billing_records().count()
    paid = client.post("/updatePaymentStatus", SAMPLE, format="json")
    assert (paid.status_code, paid.json()["paymentStatus"]) == (200, "paid")


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "/checkPaymentStatus", SAMPLE),
        ("post", "/updatePaymentStatus", SAMPLE),
        ("get", "/getAllBilling", None),
    ],
)
def test_every_permission_but_the_gateways_is_a_403_in_the_gateways_shape(
    every_permission_but_the_gateways, method, path, body
):
    demo.seed(out=quiet)
    user = UserFactory(perms=every_permission_but_the_gateways)
    assert not user.has_perm("api.use_gateway")
    assert user.has_perms(["invoices.view_invoice", "payments.add_payment"])
    response = getattr(bearer_client(user), method)(path, body, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "success": "false",
        "message": "You do not have permission to use this API.",
    }
    assert Invoice.objects.get(number="333333").status == "open"
