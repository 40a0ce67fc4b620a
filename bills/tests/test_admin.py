import re
from decimal import Decimal

import pytest

from bills.models import Bill
from bills.services import collection_create
from bills.tests.test_bills_api import make_bill
from payments.services import payment_record

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


def test_a_bill_is_never_changed_or_deleted_here(admin_client):
    bill = make_bill(collection_create(code="demo", title="Demo"))
    page = admin_client.get(f"/admin/bills/bill/{bill.pk}/change/").content.decode()
    assert 'name="_save"' not in page and "deletelink" not in page
    assert 'name="product_collections-0-quantity"' not in page
    assert admin_client.get(f"/admin/bills/bill/{bill.pk}/delete/").status_code == 403
    bulk = admin_client.post(
        "/admin/bills/bill/",
        {"action": "delete_selected", "post": "yes", "_selected_action": [bill.pk]},
    )
    assert bulk.status_code in (200, 302)
    assert Bill.objects.filter(pk=bill.pk).exists()
    invoice_page = admin_client.get(f"/admin/invoices/invoice/{bill.invoice_id}/change/")
    assert b'name="bill-0-ref1"' not in invoice_page.content


def test_bills_show_partly_paid_their_currencys_places_and_its_filters(admin_client):
    collection = collection_create(code="demo", title="Demo")
    partly = make_bill(collection, ref1="partly")
    payment_record(invoice_id=partly.invoice_id, amount=Decimal("20.50"), method="cash")
    dinar = make_bill(
        collection,
        ref1="dinar",
        currency="IQD",
        product=[{"title": "fee", "price": "1250.125", "quantity": 1}],
    )
    listing = admin_client.get("/admin/bills/bill/?status=partially_paid").content.decode()
    assert partly.bill_no in listing and dinar.bill_no not in listing
    assert '<td class="field-status">Partially paid</td>' in listing
    assert '<td class="field-bill_paid">20.50</td>' in listing
    assert '<td class="field-bill_balance">84.50</td>' in listing
    listing = admin_client.get("/admin/bills/bill/?currency=IQD").content.decode()
    assert dinar.bill_no in listing and partly.bill_no not in listing
    assert '<td class="field-bill_total">1,250.125</td>' in listing
    unfiltered = admin_client.get("/admin/bills/bill/").content.decode()
    choices = re.findall(r'<a href="\?currency=([A-Z]{3})">', unfiltered)
    assert choices == ["IQD", "MYR"]
    products = admin_client.get("/admin/bills/product/").content.decode()
    assert '<td class="field-product_price">1,250.125</td>' in products
    assert '<td class="field-product_price">10.00</td>' in products
    assert re.findall(r'<a href="\?currency=([A-Z]{3})">', products) == ["IQD", "MYR"]
