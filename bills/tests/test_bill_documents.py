"""A bill's PDFs, as its page links them: the bill under its own number and
its collection's organisation, and the receipts of its payments."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core import signing
from pypdf import PdfReader

from bills.services import bill_create, collection_create
from bills.tests.test_bills_api import DOCUMENT_BILL
from invoices import receipts
from invoices.tests.pdf_text import pdf_pages, pdf_text
from payments.services import payment_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def collection():
    return collection_create(
        code="fees", title="School fees", organization_name="Raudhah Pay Sdn Bhd"
    )


def new_bill(collection, products=DOCUMENT_BILL["product"]):
    return bill_create(
        collection=collection,
        due=datetime.date(2026, 3, 31),
        ref1="Term 2",
        ref2="Class 4B",
        currency="MYR",
        customer=DOCUMENT_BILL["customer"],
        products=[
            {**item, "price": Decimal(item["price"]), "quantity": Decimal(item["quantity"])}
            for item in products
        ],
        quantity_label="kWh",
    )


@pytest.fixture
def bill(collection):
    return new_bill(collection)


def page_links(client, bill) -> dict:
    context = client.get(f"/billing/bills/bill-payment?code={bill.bill_no}").context
    return {"pdf": context["pdf_url"], "receipt": context["receipt_url"]}


def test_the_bill_pdf_shows_the_bill_number_and_the_organisation(client, bill, settings):
    settings.BILLING_SELLER_NAME = "Billing Platform Inc"
    links = page_links(client, bill)
    assert links["pdf"].startswith("/billing/bills/") and links["pdf"].endswith(".pdf")
    assert links["receipt"] == ""  # nothing paid yet
    response = client.get(links["pdf"])
    assert response["Content-Disposition"] == f'inline; filename="bill_{bill.bill_no}.pdf"'
    [page] = pdf_pages(response)
    assert page.startswith(f"Raudhah Pay Sdn Bhd Bill {bill.bill_no} BILL TO RAUDHAH PAY")
    for expected in (
        f"Bill number {bill.bill_no}",
        "Collection School fees",
        "Reference Term 2 · Class 4B",
        "Due date Mar 31, 2026",
        "Status Open",
        "105.00 MYR due Mar 31, 2026",
        "Description Quantity (kWh) Unit price Tax Amount (MYR)",
        "product 1 10 10.00 0% 100.00",
        "product 2 1 5.00 0% 5.00",
        "Total (MYR) 105.00 Paid 0.00 Balance due (MYR) 105.00",
        f"PAY ONLINE http://testserver/payment/gateway/secure-pay?bill_no={bill.bill_no}",
    ):
        assert expected in page, expected
    for absent in (bill.invoice.number, "Billing Platform Inc", "Invoice", "NOTES", "Tax rate"):
        assert absent not in page, absent
    [annotation] = PdfReader(io.BytesIO(response.content)).pages[0]["/Annots"]
    assert annotation.get_object()["/A"]["/URI"] == (
        f"http://testserver/payment/gateway/secure-pay?bill_no={bill.bill_no}"
    )


def test_a_paid_bill_links_its_receipts(client, bill):
    payment_record(
        invoice_id=bill.invoice_id,
        amount=Decimal("105.00"),
        method="gateway",
        provider="psp",
        provider_reference="TXN-778899",
        paid_at=datetime.datetime(2026, 3, 2, 8, 5, tzinfo=datetime.UTC),
    )
    links = page_links(client, bill)
    page = client.get(f"/billing/bills/bill-payment?code={bill.bill_no}").content.decode()
    assert links["receipt"].endswith("/receipt.pdf") and links["receipt"] in page
    [receipt] = pdf_pages(client.get(links["receipt"]))
    assert receipt.startswith(f"Raudhah Pay Sdn Bhd Receipt {bill.bill_no}-1 PAID RECEIVED FROM")
    for expected in (
        f"Bill number {bill.bill_no}",
        "Date paid Mar 2, 2026, 8:05 AM UTC",
        "Payment method Gateway",
        "Payment reference TXN-778899",
        "Bill total (MYR) 105.00 This payment 105.00 Remaining due (MYR) 0.00",
    ):
        assert expected in receipt, expected
    assert bill.invoice.number not in receipt
    text = pdf_text(client.get(links["pdf"]))
    assert f"Bill {bill.bill_no} PAID BILL TO" in text
    assert "PAY ONLINE" not in text


def test_a_collection_without_an_organisation_bills_as_the_service(client, settings):
    settings.BILLING_SELLER_NAME = "Billing Platform Inc"
    settings.BILLING_SELLER_TAX_ID = "MY-1234"
    bill = new_bill(collection_create(code="plain", title="Plain"))
    text = pdf_text(client.get(page_links(client, bill)["pdf"]))
    assert text.startswith(f"Billing Platform Inc Tax ID: MY-1234 Bill {bill.bill_no}")


def test_bill_links_are_signed_and_expire(client, bill, settings):
    path = page_links(client, bill)["pdf"]
    forged = path.replace(path.split("/")[-1], signing.dumps(bill.pk, salt="x") + ".pdf")
    response = client.get(forged)
    assert response.status_code == 404
    assert response.json() == {"detail": "This bill link is not valid."}
    settings.RECEIPT_LINK_MAX_AGE = -1
    response = client.get(path)
    assert response.status_code == 410
    assert response.json() == {"detail": "This bill link has expired; ask for a new one."}


def test_the_invoice_receipt_links_the_pages_gave_before_still_work(client, bill):
    text = pdf_text(client.get(receipts.receipt_path(bill.invoice)))
    assert f"Invoice {bill.invoice.number}" in text


def test_a_bill_pdf_costs_the_same_queries_however_many_products_and_payments(
    client, collection, django_assert_num_queries
):
    small = new_bill(collection)
    many = [{"title": f"item {n}", "price": "1.00", "quantity": 2, "id": n} for n in range(1, 26)]
    big = new_bill(collection, products=many)
    for _ in range(4):
        payment_record(invoice_id=big.invoice_id, amount=Decimal("1.00"), method="cash")
    payment_record(invoice_id=small.invoice_id, amount=Decimal("1.00"), method="cash")
    for bill in (small, big):
        links = page_links(client, bill)
        for link in links.values():
            # the bill with its invoice, customer and collection; the lines; the
            # payments; the request's log row
            with django_assert_num_queries(4):
                pdf_pages(client.get(link))
