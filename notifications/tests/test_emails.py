"""The emails the ledger's events ask for, through Django's locmem backend: an
issued invoice and each payment's receipt, once each, with the PDF attached, to
customers with an address who have not opted out."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from billing_site.testing import bearer_client
from bills.services import bill_create, collection_create
from bills.tests.test_bills_api import DOCUMENT_BILL
from events.models import Event
from events.tasks import relay
from invoices.models import VIEW_ALL_CUSTOMERS, Customer
from invoices.tests.factories import CustomerFactory, InvoiceFactory, UserFactory
from notifications.handlers import email_documents
from notifications.models import OutgoingEmail
from notifications.tasks import send_email
from payments.services import payment_record

from .mail import locmem_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return bearer_client(
        UserFactory(
            perms=[
                "api.use_invoices",
                "invoices.view_customer",
                "invoices.add_customer",
                "invoices.change_customer",
                "invoices.view_invoice",
                "invoices.add_invoice",
                "payments.view_payment",
                "payments.add_payment",
                VIEW_ALL_CUSTOMERS,
            ]
        )
    )


@pytest.fixture
def gateway_client():
    return bearer_client(UserFactory(perms=["api.use_gateway", VIEW_ALL_CUSTOMERS]))


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block's commit callbacks (the relay, then the sending) as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def issued(committed, mailoutbox):
    """Issue an invoice to ``payer@example.com``, its own email sent and out of the way."""

    def issue(amount: Decimal):
        with committed():
            invoice = InvoiceFactory(amount=amount, customer__email="payer@example.com")
        assert [message.subject for message in mailoutbox] == [
            f"Invoice {invoice.number} from Billing Service"
        ]
        mailoutbox.clear()
        return invoice

    return issue


def issue(client, customer: Customer, amount: str = "100.0") -> dict:
    text = json.dumps(
        {
            "customer_id": customer.pk,
            "amount": amount,
            "date": "2026-03-01",
            "due_date": "2026-03-31",
        }
    )
    text = text.replace(f'"{amount}"', amount)  # a JSON number, as document 001 sends it
    response = client.generic("POST", "/api/v1/invoices", text, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_an_invoice_issued_through_the_api_is_emailed_once_with_its_pdf(
    client, committed, mailoutbox
):
    customer = CustomerFactory(name="Jane Roe", email="jane@example.com")
    with committed():
        created = issue(client, customer)
    invoice = customer.invoices.get(pk=created["id"])
    [message] = mailoutbox
    assert message.to == ["jane@example.com"]
    assert message.from_email == "billing@localhost"
    assert message.subject == f"Invoice {invoice.number} from Billing Service"
    assert invoice.number in message.body and "Jane Roe" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and f"<strong>{invoice.number}</strong>" in html
    filename, pages = locmem_pdf(message)
    assert filename == f"invoice_{invoice.number}.pdf"
    assert len(pages) == 1 and f"Invoice number {invoice.number}" in pages[0]
    email = OutgoingEmail.objects.get()
    assert (email.kind, email.status, email.attempts, email.to) == (
        "invoice",
        "sent",
        1,
        "jane@example.com",
    )
    assert email.event.type == "invoice.issued" and email.sent_at is not None


def test_a_payment_through_the_gateway_is_emailed_its_receipt(
    gateway_client, committed, issued, mailoutbox
):
    invoice = issued(Decimal("40.00"))
    with committed():
        response = gateway_client.post(
            "/updatePaymentStatus",
            {"orderID": invoice.order_id, "billingNumber": invoice.number},
            format="json",
        )
    assert response.status_code == 200, response.content
    [message] = mailoutbox  # one receipt; the invoice's move to paid sends nothing
    assert message.to == ["payer@example.com"]
    assert message.subject == "Receipt for your payment of 40.00 USD"
    filename, pages = locmem_pdf(message)
    assert filename == f"receipt_{invoice.number}-1.pdf"
    assert len(pages) == 1
    assert f"Receipt number {invoice.number}-1" in pages[0] and "40.00 USD paid on" in pages[0]


def test_each_payment_through_the_api_is_emailed_its_own_receipt(
    client, committed, issued, mailoutbox
):
    invoice = issued(Decimal("100.00"))
    path = f"/api/v1/invoices/{invoice.pk}/payments"
    for amount in ("40.00", "60.00"):
        with committed():
            paid = client.post(path, {"amount": amount, "method": "cash"}, format="json")
        assert paid.status_code == 201, paid.content
    assert [message.subject for message in mailoutbox] == [
        "Receipt for your payment of 40.00 USD",
        "Receipt for your payment of 60.00 USD",
    ]
    filename, pages = locmem_pdf(mailoutbox[1])
    assert filename == f"receipt_{invoice.number}-2.pdf"
    # That payment's page alone: what was paid before it, nothing left due.
    assert len(pages) == 1
    assert "60.00 USD paid on" in pages[0] and "Paid before 40.00" in pages[0]
    assert "PAID" in pages[0]


def test_the_opt_out_is_the_customers_choice_through_the_api(client, committed, mailoutbox):
    created = client.post(
        "/api/v1/customers", {"name": "Quiet Ltd", "email": "quiet@example.com"}, format="json"
    )
    assert created.status_code == 201 and created.json()["email_documents"] is True
    url = f"/api/v1/customers/{created.json()['id']}"
    opted_out = client.patch(url, {"email_documents": False}, format="json")
    assert opted_out.status_code == 200 and opted_out.json()["email_documents"] is False
    customer = Customer.objects.get(pk=created.json()["id"])
    assert customer.email_documents is False
    with committed():
        invoice = issue(client, customer)
        paid = client.post(
            f"/api/v1/invoices/{invoice['id']}/payments",
            {"amount": "100.00", "method": "cash"},
            format="json",
        )
        assert paid.status_code == 201, paid.content
    assert Event.objects.filter(type="payment.succeeded").exists()
    assert mailoutbox == [] and not OutgoingEmail.objects.exists()


def test_a_customer_without_an_email_address_gets_none(client, committed, mailoutbox):
    customer = CustomerFactory(email="")
    with committed():
        issue(client, customer)
    assert Event.objects.filter(type="invoice.issued").exists()
    assert mailoutbox == [] and not OutgoingEmail.objects.exists()


def test_an_event_relayed_twice_is_emailed_once(client, committed, mailoutbox):
    customer = CustomerFactory(email="jane@example.com")
    with committed():
        issue(client, customer)
    ids = list(Event.objects.values_list("pk", flat=True))
    Event.objects.update(relayed_at=None)  # as if the relay had not finished
    with committed():
        assert relay(ids) == len(ids)
    email = OutgoingEmail.objects.get()
    assert send_email.delay(email.pk).get() == "skipped"  # a send queued again
    assert len(mailoutbox) == 1
    assert OutgoingEmail.objects.get().attempts == 1


def test_a_change_that_rolls_back_emails_nothing(committed, issued, mailoutbox):
    invoice = issued(Decimal("100.00"))
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        payment_record(invoice_id=invoice.pk, amount=Decimal(100), method="card")
        raise RuntimeError("the request fails after the payment")
    assert mailoutbox == []
    assert not OutgoingEmail.objects.filter(kind="receipt").exists()


def test_other_events_cost_the_handler_no_query(django_assert_num_queries):
    for event_type in ("invoice.created", "invoice.paid", "bill.created", "report.generated"):
        with django_assert_num_queries(0):
            email_documents(Event(type=event_type, data={"id": 1}))


def test_a_bill_is_emailed_as_the_bill_and_its_receipt_under_the_bill_number(committed, mailoutbox):
    collection = collection_create(code="fees", title="Fees", organization_name="Green School")
    with committed():
        bill = bill_create(
            collection=collection,
            due=datetime.date(2026, 3, 31),
            ref1="Term 2",
            ref2="",
            currency="MYR",
            customer=DOCUMENT_BILL["customer"],
            products=[{"title": "Fee", "price": Decimal(105), "quantity": Decimal(1)}],
        )
    with committed():
        payment_record(invoice_id=bill.invoice_id, amount=Decimal(105), method="card")
    invoice_email, receipt_email = mailoutbox
    assert invoice_email.to == receipt_email.to == ["team@raudhahpay.com"]
    assert invoice_email.subject == f"Bill {bill.bill_no} from Green School"
    filename, pages = locmem_pdf(invoice_email)
    assert filename == f"bill_{bill.bill_no}.pdf" and f"Bill number {bill.bill_no}" in pages[0]
    assert receipt_email.subject == "Receipt for your payment of 105.00 MYR"
    assert (
        "105.00\N{NO-BREAK SPACE}MYR" in receipt_email.body
        and f"bill {bill.bill_no}" in receipt_email.body
    )
    filename, pages = locmem_pdf(receipt_email)
    assert filename == f"receipt_{bill.bill_no}-1.pdf"
    assert f"Receipt number {bill.bill_no}-1" in pages[0]


def test_staff_see_the_emails_and_the_customers_choice_in_the_admin(
    admin_client, committed, issued
):
    invoice = issued(Decimal("100.00"))
    emails = admin_client.get("/admin/notifications/outgoingemail/")
    assert emails.status_code == 200 and invoice.number.encode() in emails.content
    customer = admin_client.get(f"/admin/invoices/customer/{invoice.customer_id}/change/")
    assert b'name="email_documents"' in customer.content


def test_a_send_another_worker_holds_is_left_to_it_and_a_lapsed_claim_is_taken_over(
    settings, issued, mailoutbox
):
    settings.NOTIFICATIONS_EMAIL_RETRIES = 1
    issued(Decimal("100.00"))
    email = OutgoingEmail.objects.get()
    # As if a worker had claimed it again and were sending it now.
    OutgoingEmail.objects.update(status="pending", claimed_at=timezone.now())
    # Held: this task ends; the sweep sends the email if that worker dies.
    assert send_email.apply(args=[email.pk]).get() == "held"
    assert mailoutbox == [] and OutgoingEmail.objects.get().attempts == 1
    # That worker died mid-send: once its claim lapses, another sends the email.
    lapsed = settings.NOTIFICATIONS_EMAIL_CLAIM_SECONDS + 1
    OutgoingEmail.objects.update(claimed_at=timezone.now() - datetime.timedelta(seconds=lapsed))
    assert send_email.apply(args=[email.pk]).get() == "sent"
    assert len(mailoutbox) == 1
    assert OutgoingEmail.objects.values_list("status", "attempts", "claimed_at").get() == (
        "sent",
        2,
        None,
    )
