"""The invoice admin keeps the ledger as the API does: only drafts are deleted,
an issued invoice's page saves nothing, and its moves go through the services."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.utils import timezone

from audit.models import RequestLog
from billing_site.errors import ConflictError
from billing_site.testing import bearer_client
from bills.models import Bill
from bills.services import collection_create
from invoices import services
from invoices.models import Invoice
from invoices.tests.factories import CustomerFactory, InvoiceFactory, staff_session
from payments.services import payment_record

pytestmark = pytest.mark.django_db

CHANGE = "/admin/invoices/invoice/{}/change/"


def page(client, invoice) -> str:
    response = client.get(CHANGE.format(invoice.pk))
    assert response.status_code == 200
    return response.content.decode()


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def partly_paid(amount="100.00", paid="40.00", **fields) -> Invoice:
    invoice = InvoiceFactory(amount=Decimal(amount), **fields)
    payment_record(invoice_id=invoice.pk, amount=Decimal(paid), method="cash")
    return Invoice.objects.get(pk=invoice.pk)


def test_only_a_draft_is_deleted(admin_client):
    draft, issued = InvoiceFactory(issue=False), InvoiceFactory()
    assert admin_client.get(f"/admin/invoices/invoice/{draft.pk}/delete/").status_code == 200
    response = admin_client.post(f"/admin/invoices/invoice/{draft.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Invoice.objects.filter(pk=draft.pk).exists()
    delete_page = f"/admin/invoices/invoice/{issued.pk}/delete/"
    assert admin_client.get(delete_page).status_code == 403
    assert admin_client.post(delete_page, {"post": "yes"}).status_code == 403
    assert Invoice.objects.get(pk=issued.pk).status == "open"


def test_the_bulk_delete_deletes_drafts_and_never_an_issued_invoice(admin_client):
    drafts = [InvoiceFactory(issue=False), InvoiceFactory(issue=False)]
    issued = InvoiceFactory()
    selected = {"action": "delete_selected", "post": "yes"}
    mixed = admin_client.post(
        "/admin/invoices/invoice/",
        {**selected, "_selected_action": [drafts[0].pk, issued.pk]},
    )
    assert mixed.status_code == 403
    assert Invoice.objects.filter(pk__in=[drafts[0].pk, issued.pk]).count() == 2
    confirmation = admin_client.post(
        "/admin/invoices/invoice/",
        {"action": "delete_selected", "_selected_action": [drafts[0].pk, issued.pk]},
    )
    assert b"permission to delete" in confirmation.content
    response = admin_client.post(
        "/admin/invoices/invoice/",
        {**selected, "_selected_action": [draft.pk for draft in drafts]},
        follow=True,
    )
    assert "Successfully deleted 2 invoices." in shown_messages(response)
    assert list(Invoice.objects.values_list("pk", flat=True)) == [issued.pk]


def test_a_draft_issued_meanwhile_is_not_deleted():
    draft, issued = InvoiceFactory(issue=False), InvoiceFactory()
    with pytest.raises(ConflictError, match=f"void {issued.number} instead"):
        services.invoice_delete_drafts(invoice_ids=[draft.pk, issued.pk])
    assert Invoice.objects.filter(pk__in=[draft.pk, issued.pk]).count() == 2


def test_a_draft_held_by_a_bill_is_not_deleted():
    draft = InvoiceFactory(issue=False)
    bill = Bill.objects.create(
        invoice=draft, collection=collection_create(code="c", title="C"), bill_no="B-1"
    )
    with pytest.raises(ConflictError, match="held by bill B-1; void it instead"):
        services.invoice_delete_drafts(invoice_ids=[draft.pk])
    assert Bill.objects.get(pk=bill.pk).invoice == draft


def test_pages_that_cannot_be_saved_show_no_save_or_delete(admin_client):
    draft = page(admin_client, InvoiceFactory(issue=False))
    assert 'name="_save"' in draft and 'class="deletelink"' in draft
    for invoice in (InvoiceFactory(), partly_paid(), InvoiceFactory(issue=False)):
        if invoice.status == "draft":
            services.invoice_void(invoice=invoice)
        html = page(admin_client, invoice)
        assert 'name="_save"' not in html and "_continue" not in html
        assert 'class="deletelink"' not in html
        assert "<h1>View invoice</h1>" in html
    opened = InvoiceFactory()
    response = admin_client.post(CHANGE.format(opened.pk), {"description": "Changed"})
    assert response.status_code == 403
    assert Invoice.objects.get(pk=opened.pk).description == "Monthly service"


def _buttons(html: str) -> list[str]:
    tools = html.split('<ul class="object-tools">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="[^"]*"[^>]*>([^<]+)</a>', tools)


def test_the_buttons_offered_follow_the_services_rules(admin_client):
    paid = InvoiceFactory()
    payment_record(invoice_id=paid.pk, amount=paid.total, method="cash")
    cases = {
        "draft": (InvoiceFactory(issue=False), ["Issue", "Void", "History"]),
        "open": (InvoiceFactory(), ["Record payment", "Void", "Issue credit note", "History"]),
        "partly paid": (partly_paid(), ["Record payment", "Issue credit note", "History"]),
        "paid": (paid, ["Issue credit note", "History"]),
    }
    for case, (invoice, buttons) in cases.items():
        assert _buttons(page(admin_client, invoice)) == buttons, case
    viewer = staff_session("invoices.view_invoice")
    assert _buttons(page(viewer, InvoiceFactory(issue=False))) == ["History"]


def _twins(**fields) -> tuple[Invoice, Invoice]:
    """Two invoices alike but for their numbers: one moved by the admin, one by the API."""
    customer = CustomerFactory()
    return tuple(InvoiceFactory(customer=customer, **fields) for _ in range(2))


def _state(invoice: Invoice) -> dict:
    invoice.refresh_from_db()
    return {
        field: getattr(invoice, field)
        for field in ("status", "issue_date", "customer_snapshot", "total", "amount_paid")
    }


@pytest.mark.parametrize(
    ("move", "fields", "status", "done"),
    [("issue", {"issue": False}, "open", "issued"), ("void", {}, "void", "voided")],
)
def test_a_button_moves_the_invoice_as_the_api_does(
    admin_client, admin_user, move, fields, status, done
):
    by_admin, by_api = _twins(issue_date=None, **fields)
    confirm = admin_client.get(f"/admin/invoices/invoice/{by_admin.pk}/{move}/")
    assert confirm.status_code == 200 and b'method="post"' in confirm.content
    assert Invoice.objects.get(pk=by_admin.pk).status == by_api.status  # asking changes nothing
    response = admin_client.post(f"/admin/invoices/invoice/{by_admin.pk}/{move}/", follow=True)
    assert response.redirect_chain == [(CHANGE.format(by_admin.pk), 302)]
    assert shown_messages(response) == [f"Invoice {by_admin.number} {done}."]
    api = bearer_client(admin_user).post(f"/api/v1/invoices/{by_api.pk}/{move}")
    assert api.status_code == 200
    assert _state(by_admin) == _state(by_api)
    assert by_admin.status == status and by_admin.issue_date == timezone.localdate()
    stamp = {"issue": "issued_at", "void": "voided_at"}[move]
    assert getattr(by_admin, stamp) is not None and getattr(by_api, stamp) is not None
    entry = LogEntry.objects.get(object_id=str(by_admin.pk))
    assert (entry.user, entry.get_change_message()) == (admin_user, f"{done.capitalize()}.")


def test_each_move_has_its_request_log_row_as_an_api_request(admin_client, admin_user):
    by_admin, by_api = _twins(issue=False)
    response = admin_client.post(f"/admin/invoices/invoice/{by_admin.pk}/issue/")
    api = bearer_client(admin_user).post(f"/api/v1/invoices/{by_api.pk}/issue")
    rows = {
        row.endpoint: row
        for row in RequestLog.objects.filter(method="POST", endpoint__contains="issue")
    }
    admin_row = rows[f"/admin/invoices/invoice/{by_admin.pk}/issue/"]
    api_row = rows[f"/api/v1/invoices/{by_api.pk}/issue"]
    for row, answer in ((admin_row, response), (api_row, api)):
        assert (row.status_code, row.user) == (answer.status_code, admin_user)
        assert row.request_id == answer["X-Request-ID"] and row.duration_ms > 0


@pytest.mark.parametrize(
    ("move", "make", "refusal"),
    [
        ("issue", InvoiceFactory, "Only a draft invoice can be issued"),
        ("void", partly_paid, "has payments of 40.00 and cannot be voided"),
    ],
)
def test_a_refused_move_says_why_and_changes_nothing(admin_client, move, make, refusal):
    invoice = make()
    before = _state(invoice)
    response = admin_client.post(f"/admin/invoices/invoice/{invoice.pk}/{move}/", follow=True)
    assert refusal in shown_messages(response)[0]
    assert _state(invoice) == before
    asked = admin_client.get(f"/admin/invoices/invoice/{invoice.pk}/{move}/", follow=True)
    assert "cannot be" in shown_messages(asked)[0]


def test_moves_need_the_change_permission_and_a_csrf_token(admin_user):
    draft = InvoiceFactory(issue=False)
    viewer = staff_session("invoices.view_invoice")
    assert viewer.get(f"/admin/invoices/invoice/{draft.pk}/issue/").status_code == 403
    assert viewer.post(f"/admin/invoices/invoice/{draft.pk}/issue/").status_code == 403
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    assert browser.post(f"/admin/invoices/invoice/{draft.pk}/issue/").status_code == 403
    assert Invoice.objects.get(pk=draft.pk).status == "draft"
    clerk = staff_session("invoices.view_invoice", "invoices.change_invoice")
    assert clerk.post(f"/admin/invoices/invoice/{draft.pk}/issue/").status_code == 302
    assert Invoice.objects.get(pk=draft.pk).status == "open"


def _listed(client, query: str) -> list[str]:
    html = client.get(f"/admin/invoices/invoice/?{query}").content.decode()
    return re.findall(r'<th class="field-number"><a href="[^"]+">([^<]+)</a>', html)


def test_partially_paid_is_shown_and_filtered(admin_client):
    opened, partial = InvoiceFactory(number="OPEN-1"), partly_paid(number="PART-1")
    paid = InvoiceFactory(number="PAID-1")
    payment_record(invoice_id=paid.pk, amount=paid.total, method="cash")
    assert _listed(admin_client, "status=partially_paid") == ["PART-1"]
    assert _listed(admin_client, "status=open") == ["OPEN-1"]
    assert _listed(admin_client, "status=unpaid") == ["PART-1", "OPEN-1"]
    assert _listed(admin_client, "status=paid") == ["PAID-1"]
    listing = admin_client.get("/admin/invoices/invoice/?status=partially_paid").content.decode()
    assert '<td class="field-client_status">Partially paid</td>' in listing
    assert "Partially paid" in page(admin_client, partial) and opened.status == "open"


def test_the_overdue_filter(admin_client):
    today = timezone.localdate()
    yesterday, tomorrow = today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)
    InvoiceFactory(number="LATE-1", due_date=yesterday)
    partly_paid(number="LATE-2", due_date=yesterday)
    InvoiceFactory(number="DUE-1", due_date=tomorrow)
    paid = InvoiceFactory(number="PAID-1", due_date=yesterday)
    payment_record(invoice_id=paid.pk, amount=paid.total, method="cash")
    assert _listed(admin_client, "overdue=yes") == ["LATE-2", "LATE-1"]


def test_amounts_have_their_currencys_places(admin_client):
    amounts = {"JPY": "1200000", "IQD": "50000.125", "USD": "1234.5"}
    invoices = {
        currency: InvoiceFactory(currency=currency, amount=Decimal(amount))
        for currency, amount in amounts.items()
    }
    listing = admin_client.get("/admin/invoices/invoice/").content.decode()
    shown = {"JPY": "1,200,000", "IQD": "50,000.125", "USD": "1,234.50"}
    for currency, text in shown.items():
        assert f'<td class="field-total_amount">{text}</td>' in listing, currency
        html = page(admin_client, invoices[currency])
        assert f'<div class="readonly">{text}</div>' in html, currency
        cells = dict(re.findall(r'<td class="field-(\w+)">\s*<p>([^<]*)</p>', html))
        assert (cells["unit_price_amount"], cells["line_quantity"]) == (text, "1"), currency
    assert "1200000.0000" not in listing and "1,234.5000" not in listing


def test_the_currency_filter_lists_the_currencies_in_use(admin_client):
    for currency in ("USD", "JPY", "USD"):
        InvoiceFactory(currency=currency, amount=Decimal("10"))
    listing = admin_client.get("/admin/invoices/invoice/").content.decode()
    choices = re.findall(r'<a href="\?currency=([A-Z]{3})">', listing)
    assert choices == ["JPY", "USD"]
    assert len(_listed(admin_client, "currency=USD")) == 2
