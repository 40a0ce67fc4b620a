import pytest

from bills.services import collection_create
from bills.tests.test_bills_api import make_bill

pytestmark = pytest.mark.django_db


def test_bill_admin_pages(admin_client):
    bill = make_bill(collection_create(code="demo", title="Demo"))
    for url in (
        "/admin/bills/bill/",
        "/admin/bills/bill/?status=open",
        f"/admin/bills/bill/?collection__id__exact={bill.collection_id}",
        f"/admin/bills/bill/?q={bill.bill_no}",
        f"/admin/bills/bill/{bill.pk}/change/",
        "/admin/bills/collection/",
        "/admin/bills/product/",
        f"/admin/invoices/invoice/{bill.invoice_id}/change/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert bill.bill_no.encode() in response.content or b"product" in response.content, url
    detail = admin_client.get(f"/admin/bills/bill/{bill.pk}/change/").content
    assert b"product 1" in detail
    assert admin_client.get("/admin/bills/bill/add/").status_code == 403
