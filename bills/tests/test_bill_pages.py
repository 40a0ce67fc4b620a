"""The pages at a bill's ``bill_url``, ``payment_url`` and ``forward_payment_url``
(document 004's paths), and their older aliases."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from billing_site.testing import bearer_client
from bills.services import collection_create
from bills.tests.test_bills_api import DOCUMENT_BILL, PERMS, make_bill
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import UserFactory
from payments.models import Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def collection():
    return collection_create(
        code="demo", title="Demo", redirect_url="https://shop.example.com/thanks"
    )


@pytest.fixture
def bills(collection):
    """Two bills made through the API, as document 004's clients make them."""
    client = bearer_client(UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS]))
    return [
        client.post(
            "/api/collections/demo/bills", {**DOCUMENT_BILL, "ref1": ref1}, format="json"
        ).json()
        for ref1 in ("first", "second")
    ]


def local(url: str) -> str:
    parts = urlsplit(url)
    assert parts.netloc == "testserver"
    return f"{parts.path}?{parts.query}"


def test_each_url_serves_its_own_bills_page(bills):
    browser = Client()
    for bill, other in (bills, reversed(bills)):
        page = browser.get(local(bill["bill_url"]))
        assert page.status_code == 200
        assert page.context["bill"].bill_no == bill["bill_no"]
        assert f"Bill {bill['bill_no']}".encode() in page.content
        assert other["bill_no"].encode() not in page.content
        pay = browser.get(local(bill["payment_url"]))
        assert pay.status_code == 200
        assert pay.context["bill"].bill_no == bill["bill_no"]
        assert f"Pay bill {bill['bill_no']}".encode() in pay.content
        forward = browser.get(local(bill["forward_payment_url"]))
        assert (forward.status_code, forward["Location"]) == (302, local(bill["payment_url"]))


def test_the_older_paths_stay_as_aliases(bills):
    bill_no = bills[0]["bill_no"]
    browser = Client()
    assert browser.get(f"/bills/{bill_no}").context["bill"].bill_no == bill_no
    assert browser.get(f"/bills/{bill_no}/pay").context["bill"].bill_no == bill_no


@pytest.mark.parametrize(
    "path",
    [
        "/billing/bills/bill-payment?code=nope",
        "/billing/bills/bill-payment",
        "/billing/bills/bill-payment?code=",
        "/billing/bills/bill-payment?code={other_case}",
        "/payment/gateway/secure-pay?bill_no={other_case}",
        "/payment/gateway/forward-to-payment-gateway?transactionRefId=CD__{other_case}__20200625142144",
        "/payment/gateway/secure-pay?bill_no=nope",
        "/payment/gateway/secure-pay",
        "/payment/gateway/forward-to-payment-gateway?transactionRefId=CD__nope__20200625142144",
        "/payment/gateway/forward-to-payment-gateway?transactionRefId=nope",
        "/payment/gateway/forward-to-payment-gateway",
        "/bills/nope",
    ],
)
def test_unknown_bills_are_the_not_found_page(bills, path):
    response = Client().get(path.format(other_case=bills[0]["bill_no"].swapcase()))
    assert response.status_code == 404
    assert b"Bill not found" in response.content


def test_a_paid_api_bill_sends_the_payer_on_to_the_collections_redirect_url(bills):
    browser = Client(enforce_csrf_checks=True)
    pay_url = local(bills[0]["payment_url"])
    page = browser.get(pay_url)
    assert f'action="{pay_url}"'.encode() in page.content
    paid = browser.post(pay_url, {"csrfmiddlewaretoken": page.cookies["csrftoken"].value})
    assert (paid.status_code, paid["Location"]) == (302, "https://shop.example.com/thanks")
    assert Payment.objects.get().invoice.bill.bill_no == bills[0]["bill_no"]


def test_a_paid_operator_bill_goes_back_to_the_bill(collection):
    bill = make_bill(collection)  # raised by an operator: api_redirect 0
    browser = Client()
    paid = browser.post(f"/payment/gateway/secure-pay?bill_no={bill.bill_no}")
    assert (paid.status_code, paid["Location"]) == (
        302,
        f"/billing/bills/bill-payment?code={bill.bill_no}",
    )
    assert b"This bill is paid" in browser.get(paid["Location"]).content
