"""Credit notes in the admin: read-only records, issued from the invoice's page
through the same service as the API, the customer's credit on its page."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from credits.models import CreditNote
from credits.services import credit_note_issue
from invoices.tests.factories import InvoiceFactory, staff_session
from payments.services import invoice_settle

pytestmark = pytest.mark.django_db

D = Decimal
ISSUE = "/admin/invoices/invoice/{}/credit-note/"


def test_the_invoice_page_asks_first_then_issues(admin_client):
    invoice = InvoiceFactory()
    page = admin_client.get(f"/admin/invoices/invoice/{invoice.pk}/change/").content.decode()
    assert ISSUE.format(invoice.pk) in page and "Issue credit note" in page
    form = admin_client.get(ISSUE.format(invoice.pk))
    assert form.status_code == 200
    assert "100.00 USD can still be credited" in form.content.decode()
    assert not CreditNote.objects.exists()  # asking issues nothing
    response = admin_client.post(
        ISSUE.format(invoice.pk), {"amount": "40.00", "mode": "reduce_invoice", "reason": "Late"}
    )
    assert response.status_code == 302
    note = CreditNote.objects.get()
    assert (note.number, note.total, note.reason) == ("CN-000001", D("40.00"), "Late")
    invoice.refresh_from_db()
    assert invoice.balance == D("60.00")
    page = admin_client.get(f"/admin/invoices/invoice/{invoice.pk}/change/").content.decode()
    assert "CN-000001" in page and "amount credited" in page.lower()


def test_a_refusal_is_shown_and_nothing_issued(admin_client):
    invoice = InvoiceFactory()
    response = admin_client.post(
        ISSUE.format(invoice.pk), {"amount": "100.01", "mode": "reduce_invoice"}, follow=True
    )
    assert "exceeds" in response.content.decode()
    assert not CreditNote.objects.exists()
    bad = admin_client.post(ISSUE.format(invoice.pk), {"amount": "1.001", "mode": "x"})
    assert bad.status_code == 200 and not CreditNote.objects.exists()


def test_a_draft_is_not_credited(admin_client):
    draft = InvoiceFactory(issue=False)
    response = admin_client.get(ISSUE.format(draft.pk))
    assert response.status_code == 302


def test_staff_without_the_permission_get_no_button():
    viewer = staff_session("invoices.view_invoice")
    invoice = InvoiceFactory()
    page = viewer.get(f"/admin/invoices/invoice/{invoice.pk}/change/").content.decode()
    assert "Issue credit note" not in page
    assert viewer.post(ISSUE.format(invoice.pk), {"amount": "1.00"}).status_code == 403
    assert not CreditNote.objects.exists()


def test_credit_notes_are_read_only_with_their_pdf(admin_client):
    note = credit_note_issue(invoice_id=InvoiceFactory().pk, amount=D("5.00"), reason="Oops")
    listing = admin_client.get("/admin/credits/creditnote/")
    assert listing.status_code == 200 and "CN-000001" in listing.content.decode()
    detail = admin_client.get(f"/admin/credits/creditnote/{note.pk}/change/").content.decode()
    assert 'name="_save"' not in detail and "Credit note PDF" in detail
    assert admin_client.get("/admin/credits/creditnote/add/").status_code == 403
    pdf = admin_client.get(f"/admin/credits/creditnote/{note.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "CN-000001" in text and "Oops" in text
    assert admin_client.get("/admin/credits/customercreditentry/").status_code == 200


def test_the_customer_page_shows_its_credit(admin_client):
    invoice = InvoiceFactory()
    invoice_settle(invoice_id=invoice.pk, method="cash")
    credit_note_issue(invoice_id=invoice.pk, amount=D("12.50"))
    page = admin_client.get(f"/admin/invoices/customer/{invoice.customer_id}/change/")
    html = page.content.decode()
    assert "Credit balance" in html and "12.50 USD" in html
    assert "Credit ledger" in html


def test_a_credited_invoice_is_offered_no_void_and_counts_what_is_left():
    import datetime

    from payments.dashboard import ledger_figures

    invoice = InvoiceFactory(amount=D("100.00"))
    credit_note_issue(invoice_id=invoice.pk, amount=D("30.00"))
    viewer = staff_session("invoices.view_invoice", "invoices.change_invoice")
    page = viewer.get(f"/admin/invoices/invoice/{invoice.pk}/change/").content.decode()
    assert "/void/" not in page
    (figures,) = ledger_figures(today=datetime.date(2030, 1, 1))
    assert (figures.open_balance, figures.overdue_balance) == (D("70.00"), D("70.00"))
