import re

import pytest

from invoices.models import Invoice
from invoices.tests.factories import InvoiceFactory
from payments.services import payment_record

pytestmark = pytest.mark.django_db


def test_admin_pages_for_customers_invoices_and_payments(admin_client):
    invoice = InvoiceFactory(number="ADM-1")
    payment_record(invoice_id=invoice.pk, amount=invoice.total, method="cash")
    pages = [
        "/admin/invoices/customer/",
        f"/admin/invoices/customer/{invoice.customer.pk}/change/",
        "/admin/invoices/customer/?q=" + invoice.customer.account_number,
        "/admin/invoices/invoice/",
        "/admin/invoices/invoice/?status__exact=paid&q=ADM-1",
        f"/admin/invoices/invoice/{invoice.pk}/change/",
        "/admin/payments/payment/",
        "/admin/payments/payment/?method__exact=cash",
    ]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
        assert b"ADM-1" in response.content or b"customer" in response.content, page
    detail = admin_client.get(f"/admin/invoices/invoice/{invoice.pk}/change/").content
    assert b"Payments" in detail and b"Invoice lines" in detail
    assert admin_client.get("/admin/invoices/invoice/add/").status_code == 403


def _action(admin_client, action, *invoices):
    return admin_client.post(
        "/admin/invoices/invoice/",
        {"action": action, "_selected_action": [invoice.pk for invoice in invoices]},
        follow=True,
    )


def test_admin_actions_issue_and_void(admin_client):
    draft = InvoiceFactory(issue=False)
    opened = InvoiceFactory()
    response = _action(admin_client, "issue_invoices", draft, opened)
    assert b"1 invoice(s) issued." in response.content
    assert b"Only a draft invoice can be issued" in response.content
    draft.refresh_from_db()
    assert draft.status == "open" and draft.customer_snapshot
    paid = InvoiceFactory()
    payment_record(invoice_id=paid.pk, amount=paid.total, method="cash")
    response = _action(admin_client, "void_invoices", draft, paid)
    assert b"1 invoice(s) voided." in response.content
    assert Invoice.objects.get(pk=draft.pk).status == "void"
    assert Invoice.objects.get(pk=paid.pk).status == "paid"


def test_admin_receipt_download(admin_client, client):
    invoice = InvoiceFactory()
    response = _action(admin_client, "download_receipt", invoice)
    assert response.redirect_chain[-1][0].startswith("/receipts/")
    assert response["Content-Type"] == "application/pdf"
    page = admin_client.get(f"/admin/invoices/invoice/{invoice.pk}/change/").content.decode()
    links = re.findall(r'<a href="(/[a-z]+/[^"]+\.pdf)" target="_blank">([A-Za-z ]+)</a>', page)
    assert [text for _, text in links] == ["Invoice PDF", "Receipt PDF"]
    for url, _ in links:
        assert client.get(url)["Content-Type"] == "application/pdf"
    assert links[0][0].startswith("/invoices/") and links[1][0].startswith("/receipts/")


def test_admin_edits_only_a_drafts_descriptive_fields(admin_client):
    draft = InvoiceFactory(issue=False)
    form = {
        "order_id": "NEW-1",
        "issue_date": "2026-01-15",
        "due_date": "2026-02-28",
        "period_from": "",
        "period_to": "",
        "description": "Edited",
    }
    # Whatever inlines other apps add, send their management forms back, empty.
    page = admin_client.get(f"/admin/invoices/invoice/{draft.pk}/change/").content.decode()
    prefixes = set(re.findall(r'name="([\w-]+)-TOTAL_FORMS"', page))
    assert "lines" in prefixes
    inline = {
        f"{prefix}-{key}": "0" for prefix in prefixes for key in ("TOTAL_FORMS", "INITIAL_FORMS")
    }
    response = admin_client.post(f"/admin/invoices/invoice/{draft.pk}/change/", {**form, **inline})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.order_id, draft.description) == ("NEW-1", "Edited")
    opened = InvoiceFactory()
    page = admin_client.get(f"/admin/invoices/invoice/{opened.pk}/change/")
    assert b'name="description"' not in page.content
