"""The invoice and its receipts as PDFs behind their signed links: the invoice
(``/invoices/<token>.pdf``) says what is owed, a receipt per payment what was
paid; document 002's receipt link (``/receipts/<token>.pdf``) is the receipt
once something is paid and the invoice until then."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import signing
from PIL import Image

from invoices import receipts
from invoices.services import LineInput, invoice_create, invoice_void
from invoices.tests.factories import CustomerFactory, InvoiceFactory
from invoices.tests.pdf_text import pdf_images, pdf_pages, pdf_text
from payments.services import payment_record

pytestmark = pytest.mark.django_db

LINES = [
    LineInput("Fibre 500 Mbps, January", Decimal("1000.00"), Decimal("1"), Decimal("10")),
    LineInput("Extra traffic (GB)", Decimal("1.50"), Decimal("120.000"), Decimal("10")),
    LineInput("Router rental", Decimal("27.75"), Decimal("1.5"), Decimal("0")),
]
JAN_20 = datetime.datetime(2026, 1, 20, 7, 15, tzinfo=datetime.UTC)
FEB_1 = datetime.datetime(2026, 2, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def seller(settings, tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 40), "#0f766e").save(logo)
    settings.BILLING_SELLER_NAME = "Northwind Networks Ltd"
    settings.BILLING_SELLER_ADDRESS = "12 Harbour Road\nBasra 61001\nIraq"
    settings.BILLING_SELLER_TAX_ID = "IQ-300-445-118"
    settings.BILLING_SELLER_LOGO = str(logo)
    settings.BILLING_DOCUMENT_TIME_ZONE = "Asia/Baghdad"


@pytest.fixture
def invoice(seller):
    customer = CustomerFactory(
        name="Ahmed Rahman", street="7 Palm Street", city="Baghdad", country="IQ"
    )
    return invoice_create(
        customer=customer,
        currency="USD",
        lines=LINES,
        order_id="ORD-4499494",
        issue_date=datetime.date(2026, 1, 15),
        due_date=datetime.date(2026, 2, 14),
        period_from=datetime.date(2026, 1, 1),
        period_to=datetime.date(2026, 1, 31),
        issue=True,
    )


def pay_in_two(invoice):
    payment_record(
        invoice_id=invoice.pk,
        amount=Decimal("500.00"),
        method="bank_transfer",
        provider="bank",
        provider_reference="TRX-20260120-0042",
        paid_at=JAN_20,
    )
    payment_record(
        invoice_id=invoice.pk,
        amount=Decimal("839.63"),
        method="card",
        provider="psp",
        provider_reference="ch_3Qx8",
        card_brand="visa",
        card_last4="4242",
        paid_at=FEB_1,
    )


def test_the_invoice_is_the_document_a_business_sends(client, invoice):
    response = client.get(receipts.invoice_pdf_path(invoice))
    assert response["Content-Disposition"] == f'inline; filename="invoice_{invoice.number}.pdf"'
    [page] = pdf_pages(response)
    seller = "Northwind Networks Ltd 12 Harbour Road Basra 61001 Iraq Tax ID: IQ-300-445-118"
    assert page.startswith(f"{seller} Invoice {invoice.number}")
    assert pdf_images(response) == 1  # the logo
    for expected in (
        "BILL TO Ahmed Rahman 7 Palm Street Baghdad Iraq",
        f"Invoice number {invoice.number}",
        "Issue date Jan 15, 2026",
        "Due date Feb 14, 2026",
        "Order ORD-4499494",
        "Period Jan 1, 2026 \N{EN DASH} Jan 31, 2026",
        "Status Open",
        "1,339.63 USD due Feb 14, 2026",
        "Description Quantity Unit price Tax Amount (USD)",
        "Fibre 500 Mbps, January 1 1,000.00 10% 1,000.00",
        "Extra traffic (GB) 120 1.50 10% 180.00",
        "Router rental 1.5 27.75 0% 41.63",
        # the tax per rate, then the totals beside it
        "Tax rate Taxable Tax (USD) 0% 41.63 0.00 10% 1,180.00 118.00 Subtotal 1,221.63 "
        "Tax 118.00 Total (USD) 1,339.63 Paid 0.00 Balance due (USD) 1,339.63",
        "PAYMENT TERMS Due within 30 days",
    ):
        assert expected in page, expected
    assert not re.search(r"\b(PAID|VOID|Receipt|120\.000)\b", page)


def test_order_and_period_appear_only_with_values(client, seller):
    invoice = invoice_create(customer=CustomerFactory(), currency="USD", lines=LINES, issue=True)
    text = pdf_text(client.get(receipts.invoice_pdf_path(invoice)))
    assert f"Invoice number {invoice.number}" in text
    assert not re.search(r"\b(Order|Period)\b", text)


def test_the_invoice_follows_its_payments_and_says_paid(client, invoice):
    payment_record(invoice_id=invoice.pk, amount=Decimal("500.00"), method="cash", paid_at=JAN_20)
    link = receipts.invoice_pdf_path(invoice)
    text = pdf_text(client.get(link))
    for expected in ("Status Partially paid", "Paid 500.00", "Balance due (USD) 839.63"):
        assert expected in text, expected
    assert "PAID" not in text
    payment_record(invoice_id=invoice.pk, amount=Decimal("839.63"), method="cash", paid_at=FEB_1)
    text = pdf_text(client.get(link))
    assert re.search(rf"Invoice {invoice.number} PAID BILL TO", text)
    for expected in ("Status Paid", "1,339.63 USD paid on Feb 1, 2026", "Balance due (USD) 0.00"):
        assert expected in text, expected
    assert "PAYMENT TERMS" not in text


def test_a_void_invoice_says_void_and_nothing_due(client, seller):
    invoice = invoice_void(invoice=InvoiceFactory())
    text = pdf_text(client.get(receipts.invoice_pdf_path(invoice)))
    assert re.search(rf"Invoice {invoice.number} VOID BILL TO", text)
    assert "Void: nothing is due" in text
    assert "Status Void" in text
    assert "Balance due" not in text


def test_a_draft_is_marked_draft(client, seller):
    draft = InvoiceFactory(issue=False)
    text = pdf_text(client.get(receipts.invoice_pdf_path(draft)))
    assert re.search(rf"Invoice {draft.number} DRAFT BILL TO", text)


@pytest.mark.parametrize(
    "currency,price,expected",
    [
        ("IQD", "1234567.5", "Total (IQD) 1,234,567.500"),
        ("JPY", "123456", "Total (JPY) 123,456 "),
        ("USD", "1234.5", "Total (USD) 1,234.50"),
    ],
)
def test_amounts_have_their_currencys_places(client, seller, currency, price, expected):
    invoice = InvoiceFactory(currency=currency, amount=Decimal(price))
    assert expected in pdf_text(client.get(receipts.invoice_pdf_path(invoice))) + " "


def test_numbers_and_dates_follow_the_locale(client, invoice, settings):
    settings.BILLING_LOCALE = "de_DE"
    text = pdf_text(client.get(receipts.invoice_pdf_path(invoice)))
    assert "Total (USD) 1.339,63" in text
    assert "Router rental 1,5 27,75 0 % 41,63" in text
    assert "Due date 14.02.2026" in text


def test_the_receipt_link_serves_a_receipt_per_payment(client, invoice):
    link = receipts.receipt_path(invoice)
    pay_in_two(invoice)
    response = client.get(link)
    assert response["Content-Disposition"] == f'inline; filename="receipt_{invoice.number}.pdf"'
    first, second = pdf_pages(response)
    for expected in (
        f"Receipt {invoice.number}-1 RECEIVED FROM Ahmed Rahman",
        f"Receipt number {invoice.number}-1",
        f"Invoice number {invoice.number}",
        "Order ORD-4499494",
        "Date paid Jan 20, 2026, 10:15 AM GMT+03:00",
        "Payment method Bank transfer",
        "Payment reference TRX-20260120-0042",
        "500.00 USD paid on Jan 20, 2026, 10:15 AM GMT+03:00",
        "Invoice total (USD) 1,339.63 This payment 500.00 Remaining due (USD) 839.63",
        "Tax ID: IQ-300-445-118",
    ):
        assert expected in first, expected
    assert not re.search(r"\b(PAID|Card|Paid before)\b", first)
    for expected in (
        f"Receipt {invoice.number}-2 PAID RECEIVED FROM Ahmed Rahman",
        "Date paid Feb 1, 2026, 3:00 PM GMT+03:00",
        "Payment method Card",
        "Payment reference ch_3Qx8",
        "Invoice total (USD) 1,339.63 Paid before 500.00 This payment 839.63",
        "Remaining due (USD) 0.00",
    ):
        assert expected in second, expected
    assert re.search(r"Card Visa \W+ 4242", second)


def test_the_receipt_link_is_the_invoice_until_something_is_paid(client, invoice):
    link = receipts.receipt_path(invoice)
    assert link.startswith("/receipts/")
    response = client.get(link)
    assert response["Content-Disposition"] == f'inline; filename="invoice_{invoice.number}.pdf"'
    assert pdf_text(response).count(f"Invoice {invoice.number}") == 2  # the title and the footer
    payment_record(invoice_id=invoice.pk, amount=Decimal("1.00"), method="cash", paid_at=JAN_20)
    [receipt] = pdf_pages(client.get(link))
    assert f"Receipt {invoice.number}-1" in receipt
    assert "Remaining due (USD) 1,338.63" in receipt


def test_invoice_links_are_signed_and_expire(client, invoice, settings):
    path = receipts.invoice_pdf_path(invoice)
    assert path.startswith("/invoices/") and path.endswith(".pdf")
    forged = path.replace(path.split("/")[-1], signing.dumps(invoice.pk, salt="x") + ".pdf")
    response = client.get(forged)
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == {"detail": "This invoice link is not valid."}
    settings.RECEIPT_LINK_MAX_AGE = -1
    response = client.get(path)
    assert response.status_code == 410
    assert response.json() == {"detail": "This invoice link has expired; ask for a new one."}


def test_the_seller_prints_only_what_is_set(client, settings):
    settings.BILLING_SELLER_NAME = "Jazz Broadband"
    settings.BILLING_SELLER_ADDRESS = ""
    settings.BILLING_SELLER_TAX_ID = ""
    settings.BILLING_SELLER_LOGO = "/nonexistent/logo.png"  # unreadable: left out, not a 500
    response = client.get(receipts.invoice_pdf_path(InvoiceFactory()))
    text = pdf_text(response)
    assert text.startswith("Jazz Broadband Invoice")
    assert "Tax ID" not in text
    assert pdf_images(response) == 0


def test_payment_terms_from_the_setting(client, invoice, settings):
    settings.BILLING_PAYMENT_TERMS = "Net 15. Pay by bank transfer to IBAN IQ98 NBIQ 8500 1234."
    text = pdf_text(client.get(receipts.invoice_pdf_path(invoice)))
    assert "PAYMENT TERMS Net 15. Pay by bank transfer to IBAN IQ98 NBIQ 8500 1234." in text
    assert "Due within" not in text


def test_text_from_data_is_printed_not_read_as_markup(client, seller):
    customer = CustomerFactory(name="<b>Smith & Sons</b>")
    invoice = InvoiceFactory(customer=customer, description="<font size=40>x</font> & more")
    text = pdf_text(client.get(receipts.invoice_pdf_path(invoice)))
    assert "<b>Smith & Sons</b>" in text
    assert "<font size=40>x</font> & more" in text


def test_a_pdf_costs_the_same_queries_however_many_lines_and_payments(
    client, seller, django_assert_num_queries
):
    small = InvoiceFactory(amount=Decimal("10.00"))
    payment_record(invoice_id=small.pk, amount=Decimal("1.00"), method="cash")
    big = invoice_create(customer=CustomerFactory(), currency="USD", lines=LINES * 10, issue=True)
    for _ in range(6):
        payment_record(invoice_id=big.pk, amount=Decimal("1.00"), method="cash")
    for path in (receipts.receipt_path, receipts.invoice_pdf_path):
        # the invoice with its customer, its lines, its payments; the request's log row
        with django_assert_num_queries(4):
            assert len(pdf_pages(client.get(path(small)))) == 1
        with django_assert_num_queries(4):
            pages = pdf_pages(client.get(path(big)))
    assert len(pages) == 2  # thirty lines run onto a second page
