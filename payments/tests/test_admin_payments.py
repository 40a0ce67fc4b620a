"""Payments in the admin: recorded on an invoice's page through the service the
API uses, never edited or deleted; the index's figures of the ledger."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import urlencode

from audit.models import RequestLog
from billing_site.testing import bearer_client
from invoices.models import Invoice
from invoices.tests.factories import CustomerFactory, InvoiceFactory, staff_session
from payments.dashboard import ledger_figures
from payments.models import Payment
from payments.services import payment_record

pytestmark = pytest.mark.django_db

RECORD = "/admin/invoices/invoice/{}/record-payment/"


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def form(amount: str, reference: str = "", method: str = "bank_transfer") -> dict:
    return {
        "amount": amount,
        "method": method,
        "reference": reference,
        "paid_at_0": "2026-11-30",
        "paid_at_1": "10:15:00",
    }


def _payment(payment: Payment) -> dict:
    fields = ("amount", "currency", "method", "provider", "provider_reference", "paid_at")
    return {field: getattr(payment, field) for field in (*fields, "recorded_by_id")}


def _invoice(invoice: Invoice) -> dict:
    invoice.refresh_from_db()
    return {"status": invoice.status, "amount_paid": invoice.amount_paid, "paid": invoice.paid_at}


@pytest.mark.parametrize("amount", ["40.00", "100.00"])
def test_recording_a_payment_does_what_the_api_does(admin_client, admin_user, amount):
    customer = CustomerFactory()
    by_admin, by_api = (InvoiceFactory(customer=customer) for _ in range(2))
    assert admin_client.get(RECORD.format(by_admin.pk)).status_code == 200
    response = admin_client.post(
        RECORD.format(by_admin.pk),
        urlencode(form(amount, reference="BANK-1")),
        content_type="application/x-www-form-urlencoded",  # as a browser sends it
    )
    assert response["Location"] == f"/admin/invoices/invoice/{by_admin.pk}/change/"
    status = "partially paid" if amount == "40.00" else "paid"
    assert shown_messages(admin_client.get(response["Location"])) == [
        f"Payment of {amount} USD recorded on invoice {by_admin.number}; it is {status}."
    ]
    api = bearer_client(admin_user).post(
        f"/api/v1/invoices/{by_api.pk}/payments",
        {
            "amount": amount,
            "method": "bank_transfer",
            "reference": "BANK-2",
            "paid_at": "2026-11-30T10:15:00Z",
        },
        format="json",
    )
    assert api.status_code == 201, api.content
    admin_payment, api_payment = (Payment.objects.get(invoice=i) for i in (by_admin, by_api))
    assert _payment(admin_payment) == {**_payment(api_payment), "provider_reference": "BANK-1"}
    assert admin_payment.recorded_by == admin_user
    assert _invoice(by_admin)["status"] == ("open" if amount == "40.00" else "paid")
    assert _invoice(by_admin) == _invoice(by_api)
    row = RequestLog.objects.get(endpoint=RECORD.format(by_admin.pk), method="POST")
    assert (row.status_code, row.user) == (302, admin_user)
    assert f"amount={amount}&method=bank_transfer&reference=BANK-1" in row.request_body
    assert row.request_id == response["X-Request-ID"]


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("-5.00", "Amount must not be negative."),
        ("0", "Must be greater than zero."),
        ("10.001", "Amount has more decimal places than USD allows (2)."),
        ("ten", "Amount must be a decimal number."),
        ("1e400", "Amount must be at most 9,999,999,999,999.99 USD."),
    ],
)
def test_a_bad_amount_is_refused_as_the_api_refuses_it(admin_client, amount, error):
    invoice = InvoiceFactory()
    response = admin_client.post(RECORD.format(invoice.pk), form(amount))
    assert response.status_code == 200
    assert response.context["form"].errors == {"amount": [error]}
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("amount", "reference", "refusal"),
    [
        ("100.01", "", "Payment of 100.01 exceeds the balance of 100.00 USD."),
        ("1.00", "TAKEN", "Payment reference 'TAKEN' of provider '' is already recorded."),
    ],
)
def test_a_payment_the_service_refuses_is_shown_and_nothing_is_recorded(
    admin_client, amount, reference, refusal
):
    other = InvoiceFactory()
    payment_record(
        invoice_id=other.pk, amount=Decimal("1"), method="cash", provider_reference="TAKEN"
    )
    invoice = InvoiceFactory()
    response = admin_client.post(RECORD.format(invoice.pk), form(amount, reference))
    assert response.status_code == 200  # the form again, with what was typed
    assert shown_messages(response) == [refusal]
    assert not Payment.objects.filter(invoice=invoice).exists()
    assert Invoice.objects.get(pk=invoice.pk).amount_paid == 0


def test_places_follow_the_invoices_currency(admin_client):
    yen, dinar = (
        InvoiceFactory(currency="JPY", amount=Decimal("5000")),
        InvoiceFactory(currency="IQD", amount=Decimal("50.000")),
    )
    refused = admin_client.post(RECORD.format(yen.pk), form("10.5"))
    assert refused.context["form"].errors == {
        "amount": ["Amount has more decimal places than JPY allows (0)."]
    }
    page = admin_client.get(RECORD.format(dinar.pk)).content.decode()
    assert 'value="50.000"' in page and "at most 3 decimal places" in page
    admin_client.post(RECORD.format(dinar.pk), form("12.345"))
    assert Payment.objects.get(invoice=dinar).amount == Decimal("12.345")
    payments = admin_client.get("/admin/payments/payment/").content.decode()
    assert '<td class="field-payment_amount">12.345</td>' in payments


def test_an_invoice_that_cannot_be_paid_is_not_offered_a_payment(admin_client):
    paid = InvoiceFactory()
    payment_record(invoice_id=paid.pk, amount=paid.total, method="cash")
    response = admin_client.get(RECORD.format(paid.pk), follow=True)
    assert shown_messages(response) == [f"Invoice {paid.number} is paid: nothing to pay."]
    refused = admin_client.post(RECORD.format(paid.pk), form("1.00"))
    assert shown_messages(refused) == ["payment is already paid"]
    assert Payment.objects.count() == 1


def test_recording_needs_the_permission_to_add_payments():
    invoice = InvoiceFactory()
    clerk = staff_session("invoices.view_invoice", "invoices.change_invoice")
    assert clerk.get(RECORD.format(invoice.pk)).status_code == 403
    assert clerk.post(RECORD.format(invoice.pk), form("1.00")).status_code == 403
    page = clerk.get(f"/admin/invoices/invoice/{invoice.pk}/change/").content.decode()
    assert "Record payment" not in page and "Void" in page
    cashier = staff_session("invoices.view_invoice", "payments.add_payment")
    assert cashier.post(RECORD.format(invoice.pk), form("1.00")).status_code == 302
    assert Payment.objects.get().recorded_by.has_perm("payments.add_payment")


def test_a_payment_is_never_changed_or_deleted(admin_client):
    invoice = InvoiceFactory()
    payment = payment_record(invoice_id=invoice.pk, amount=Decimal("10"), method="cash")
    page = admin_client.get(f"/admin/payments/payment/{payment.pk}/change/").content.decode()
    assert 'name="_save"' not in page and "deletelink" not in page and "10.00" in page
    delete = f"/admin/payments/payment/{payment.pk}/delete/"
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    listing = admin_client.get("/admin/payments/payment/").content.decode()
    assert "delete_selected" not in listing
    bulk = admin_client.post(
        "/admin/payments/payment/",
        {"action": "delete_selected", "post": "yes", "_selected_action": [payment.pk]},
    )
    assert bulk.status_code in (200, 302)
    assert Payment.objects.filter(pk=payment.pk).exists()
    invoice_page = admin_client.get(f"/admin/invoices/invoice/{invoice.pk}/change/")
    assert 'name="payments-0-DELETE"' not in invoice_page.content.decode()


def test_the_payment_currency_filter_lists_currencies_in_use(admin_client):
    for currency, amount in (("EUR", "10"), ("JPY", "100")):
        invoice = InvoiceFactory(currency=currency, amount=Decimal(amount))
        payment_record(invoice_id=invoice.pk, amount=Decimal(amount), method="cash")
    listing = admin_client.get("/admin/payments/payment/").content.decode()
    assert '<a href="?currency=EUR">' in listing and '<a href="?currency=JPY">' in listing
    assert '<a href="?currency=USD">' not in listing


def _ledger(settings):
    """A ledger in three currencies, seen from Tokyo, with payments either side of midnight."""
    settings.TIME_ZONE = "Asia/Tokyo"
    today = timezone.localdate()
    yesterday, tomorrow = today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)
    midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    late = InvoiceFactory(currency="USD", amount=Decimal("100.00"), due_date=yesterday)
    payment_record(
        invoice_id=late.pk,
        amount=Decimal("30.50"),
        method="cash",
        paid_at=midnight + datetime.timedelta(minutes=1),  # yesterday in UTC
    )
    InvoiceFactory(currency="USD", amount=Decimal("1000.25"), due_date=tomorrow)
    dinar = InvoiceFactory(currency="IQD", amount=Decimal("5000.500"), due_date=yesterday)
    payment_record(
        invoice_id=dinar.pk,
        amount=Decimal("0.250"),
        method="cash",
        paid_at=midnight - datetime.timedelta(minutes=1),  # yesterday in Tokyo
    )
    yen = InvoiceFactory(currency="JPY", amount=Decimal("1200"), due_date=tomorrow)
    payment_record(invoice_id=yen.pk, amount=Decimal("1200"), method="cash", paid_at=midnight)
    InvoiceFactory(currency="JPY", amount=Decimal("99"), issue=False)  # a draft owes nothing
    return today


def test_the_index_shows_the_ledgers_figures(admin_client, settings):
    today = _ledger(settings)
    figures = {row.currency: row for row in ledger_figures(today=today)}
    assert sorted(figures) == ["IQD", "JPY", "USD"]
    usd, iqd, jpy = figures["USD"], figures["IQD"], figures["JPY"]
    assert (usd.open_count, usd.open_balance) == (2, Decimal("1069.75"))
    assert (usd.overdue_count, usd.overdue_balance) == (1, Decimal("69.50"))
    assert (usd.payments_count, usd.payments_total) == (1, Decimal("30.50"))
    assert (iqd.open_balance, iqd.overdue_count, iqd.payments_count) == (
        Decimal("5000.250"),
        1,
        0,
    )
    assert (jpy.open_count, jpy.payments_count, jpy.payments_total) == (0, 1, Decimal("1200"))
    html = admin_client.get("/admin/").content.decode()
    for text in ("1,069.75", "69.50", "30.50", "5,000.250", "1,200", "2 overdue invoices"):
        assert text in html, text
    assert "?overdue=yes&amp;currency=USD" in html
    assert "1 payment today" not in html and "2 payments today" in html


def test_the_index_costs_the_same_queries_however_big_the_ledger(
    admin_client, settings, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        ledger_figures(today=timezone.localdate())
    _ledger(settings)
    with CaptureQueriesContext(connection) as few:
        admin_client.get("/admin/")
    # The session, the user, the three of the figures, recent actions, the log row.
    assert len(few.captured_queries) == 7
    for _ in range(3):
        _ledger(settings)
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get("/admin/")


def test_the_index_shows_a_user_only_the_figures_they_may_view(settings):
    _ledger(settings)
    viewer = staff_session("invoices.view_invoice")
    html = viewer.get("/admin/").content.decode()
    assert "Open balance" in html and "Received today" not in html
    nobody = staff_session()
    assert 'id="ledger-dashboard"' not in nobody.get("/admin/").content.decode()
