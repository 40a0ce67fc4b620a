"""The derived ``overdue`` status on each face: an open invoice (paid in part or
not at all) due before today, in TIME_ZONE. The invoices face shows it as its
status and filters by it; the ISP face, the bills face and the gateway, whose
documents enumerate their statuses, keep showing theirs and filter only."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from billing_site.testing import bearer_client
from bills.services import collection_create
from bills.tests.test_bills_api import make_bill
from invoices.models import (
    OVERDUE,
    VIEW_ALL_CUSTOMERS,
    Invoice,
    billing_today,
    client_status_on,
)
from invoices.services import invoice_void
from invoices.tests.factories import CustomerFactory, InvoiceFactory, UserFactory
from invoices.tests.json_bodies import parsed
from payments.services import payment_record

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def body_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(content)


@pytest.fixture
def today():
    return billing_today()


@pytest.fixture
def ledger(today):
    """One invoice of each kind, all issued a month before their due date."""

    def invoice(due, **kwargs):
        return InvoiceFactory(issue_date=due - 30 * DAY, due_date=due, **kwargs)

    late = invoice(today - 10 * DAY)
    late_partly_paid = invoice(today - DAY)
    payment_record(invoice_id=late_partly_paid.pk, amount=Decimal("40"), method="cash")
    due_today = invoice(today)
    not_due = invoice(today + 5 * DAY)
    partly_paid = invoice(today + 5 * DAY)
    payment_record(invoice_id=partly_paid.pk, amount=Decimal("40"), method="cash")
    paid_late = invoice(today - 20 * DAY)
    payment_record(invoice_id=paid_late.pk, amount=paid_late.total, method="cash")
    void_late = invoice(today - 20 * DAY)
    invoice_void(invoice=void_late)
    no_due_date = invoice(today)
    Invoice.objects.filter(pk=no_due_date.pk).update(due_date=None)
    return {
        name: Invoice.objects.get(pk=value.pk)
        for name, value in locals().items()
        if isinstance(value, Invoice)
    }


def numbers_of(ledger, *names):
    return sorted(ledger[name].number for name in names)


def test_overdue_is_derived_from_the_due_date_and_the_day(ledger, today):
    statuses = {name: invoice.status_on(today) for name, invoice in ledger.items()}
    assert statuses == {
        "late": OVERDUE,
        "late_partly_paid": OVERDUE,
        "due_today": "open",  # due today is not late yet
        "not_due": "open",
        "partly_paid": "partially_paid",
        "paid_late": "paid",
        "void_late": "void",
        "no_due_date": "open",
    }
    assert ledger["late"].days_overdue(today) == 10
    assert ledger["late_partly_paid"].days_overdue(today) == 1
    assert ledger["not_due"].days_overdue(today) == 0
    assert ledger["paid_late"].days_overdue(today) == 0
    # The stored status and the numbered faces' status do not move.
    assert (ledger["late"].status, ledger["late"].display_status) == ("open", "open")
    assert client_status_on("draft", Decimal("0"), today - DAY, today) == "draft"
    overdue = Invoice.objects.overdue(today).values_list("number", flat=True)
    assert sorted(overdue) == numbers_of(ledger, "late", "late_partly_paid")


def test_today_is_the_service_time_zones(settings):
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14: a day ahead of UTC for most of it
    assert billing_today() == timezone.localdate()
    assert (
        billing_today()
        == datetime.datetime.now(datetime.UTC).astimezone(timezone.get_default_timezone()).date()
    )


# --- the invoices face (document 001): shown and filtered -----------------------------

INVOICE_PERMS = ["api.use_invoices", "invoices.view_invoice", VIEW_ALL_CUSTOMERS]


@pytest.fixture
def invoices_client():
    return bearer_client(UserFactory(perms=INVOICE_PERMS))


def listed(client, query=""):
    response = client.get(f"/api/v1/invoices/{query}")
    assert response.status_code == 200, response.content
    return {invoice["number"]: invoice["status"] for invoice in parsed(response)}


def test_the_invoices_face_shows_and_filters_overdue(invoices_client, ledger):
    shown = listed(invoices_client)
    assert shown[ledger["late"].number] == shown[ledger["late_partly_paid"].number] == OVERDUE
    assert shown[ledger["partly_paid"].number] == "partially_paid"
    assert shown[ledger["not_due"].number] == "open"
    assert sorted(listed(invoices_client, "?status=overdue")) == numbers_of(
        ledger, "late", "late_partly_paid"
    )
    # Each invoice is under the status it shows: open and partially_paid leave the overdue out.
    assert sorted(listed(invoices_client, "?status=open")) == numbers_of(
        ledger, "due_today", "not_due", "no_due_date"
    )
    assert sorted(listed(invoices_client, "?status=partially_paid")) == numbers_of(
        ledger, "partly_paid"
    )
    # All that is owed, overdue or not.
    assert sorted(listed(invoices_client, "?status=unpaid")) == numbers_of(
        ledger, "late", "late_partly_paid", "due_today", "not_due", "partly_paid", "no_due_date"
    )
    detail = invoices_client.get(f"/api/v1/invoices/{ledger['late'].pk}")
    assert parsed(detail)["status"] == OVERDUE


def test_the_invoices_face_refuses_an_unknown_status(invoices_client):
    response = invoices_client.get("/api/v1/invoices/?status=late")
    assert response.status_code == 400
    assert "status" in response.json()


def test_the_schema_names_overdue():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    status = schema["components"]["schemas"]["Invoice"]["properties"]["status"]
    assert "overdue" in status["description"]
    [parameter] = [
        parameter
        for parameter in schema["paths"]["/api/v1/invoices/"]["get"]["parameters"]
        if parameter["name"] == "status"
    ]
    assert OVERDUE in parameter["schema"]["enum"]


def queries_of(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_the_overdue_list_costs_the_same_queries_for_1_or_12(invoices_client, today):
    def add_late(count):
        for invoice in InvoiceFactory.create_batch(
            count, issue_date=today - 40 * DAY, due_date=today - 10 * DAY
        ):
            payment_record(invoice_id=invoice.pk, amount=Decimal("1"), method="cash")

    add_late(1)
    invoices_client.get("/api/v1/invoices/?status=overdue")  # caches warm
    one = queries_of(lambda: listed(invoices_client, "?status=overdue"))
    paged_one = queries_of(lambda: listed(invoices_client, "?status=overdue&page_size=50"))
    add_late(11)
    assert len(listed(invoices_client, "?status=overdue")) == 12
    assert queries_of(lambda: listed(invoices_client, "?status=overdue")) == one
    assert queries_of(lambda: listed(invoices_client, "?status=overdue&page_size=50")) == paged_one


# --- the ISP face (document 002): a filter; status_id keeps the document's numbers ----


@pytest.fixture
def isp_client():
    return bearer_client(
        UserFactory(perms=["invoices.view_invoice", "api.use_isp", VIEW_ALL_CUSTOMERS])
    )


def test_the_isp_face_filters_overdue_and_keeps_its_status_numbers(isp_client, ledger):
    ids = body_of(isp_client.get("/api/v1/get_all_invoice_ids/2000-01-01/2100-01-01/overdue"))
    late, late_partly_paid = ledger["late"], ledger["late_partly_paid"]
    assert ids == {str(late.pk): late.pk, str(late_partly_paid.pk): late_partly_paid.pk}
    customer = late.customer_id
    of_user = body_of(isp_client.get(f"/api/v1/get_all_invoices_from_userid/{customer}/overdue"))
    assert of_user == [{str(late.pk): late.pk}]
    unpaid = body_of(isp_client.get(f"/api/v1/get_all_invoices_from_userid/{customer}/unpaid"))
    assert unpaid == [{str(late.pk): late.pk}]  # unpaid still holds the overdue
    rows = body_of(isp_client.get("/api/v1/get_all_invoices"))[0]
    status_ids = {row["Invoice"]["id"]: row["Invoice"]["status_id"] for row in rows}
    assert status_ids[str(late.pk)] == "2" and status_ids[str(late_partly_paid.pk)] == "3"
    [details] = body_of(isp_client.get(f"/api/v1/get_invoice_details/{late.pk}"))
    assert details["status"] == "open"


def test_the_isp_overdue_list_costs_the_same_queries_for_1_or_12(isp_client, today):
    customer = CustomerFactory()

    def add_late(count):
        InvoiceFactory.create_batch(
            count, customer=customer, issue_date=today - 40 * DAY, due_date=today - 10 * DAY
        )

    paths = ["/api/v1/get_all_invoice_ids/2000-01-01/2100-01-01/overdue"]
    paths.append(f"/api/v1/get_all_invoices_from_userid/{customer.pk}/overdue")
    add_late(1)
    for path in paths:
        isp_client.get(path)
    before = [queries_of(lambda path=path: body_of(isp_client.get(path))) for path in paths]
    add_late(11)
    assert len(body_of(isp_client.get(paths[0]))) == 12
    after = [queries_of(lambda path=path: body_of(isp_client.get(path))) for path in paths]
    assert after == before


# --- the bills face (document 004): a filter; the bill's status number stays ----------


@pytest.fixture
def bills_client():
    perms = ["bills.view_bill", "bills.view_collection", "api.use_bills", VIEW_ALL_CUSTOMERS]
    return bearer_client(UserFactory(perms=perms))


def bill_due(collection, due: datetime.date):
    return make_bill(collection, due=due.isoformat())


def test_the_bills_face_filters_overdue_and_keeps_its_status_numbers(bills_client, today):
    collection = collection_create(code="fees", title="Fees", organization_name="School")
    late = bill_due(collection, today - 3 * DAY)
    late_partly_paid = bill_due(collection, today - 3 * DAY)
    payment_record(invoice_id=late_partly_paid.invoice_id, amount=Decimal("4"), method="cash")
    bill_due(collection, today + 3 * DAY)
    paid = bill_due(collection, today - 3 * DAY)
    payment_record(invoice_id=paid.invoice_id, amount=paid.invoice.total, method="cash")

    def bills(query):
        response = bills_client.get(f"/api/collections/fees/bills{query}")
        assert response.status_code == 200, response.content
        return {bill["bill_no"]: bill["status"] for bill in response.json()["data"]}

    assert bills("?status=overdue") == {late.bill_no: 2, late_partly_paid.bill_no: 3}
    # The document's numbers keep their meaning: 2 is every open bill, late or not.
    assert late.bill_no in bills("?status=open") and late.bill_no in bills("?status=2")
    queries = queries_of(lambda: bills("?status=overdue"))
    for _ in range(5):
        bill_due(collection, today - 3 * DAY)
    assert len(bills("?status=overdue")) == 7
    assert queries_of(lambda: bills("?status=overdue")) == queries
    assert bills_client.get("/api/collections/fees/bills?status=late").status_code == 400


# --- the gateway (document 000): a filter; paymentStatus stays paid/unpaid ------------


def test_the_gateway_filters_overdue_and_keeps_paid_or_unpaid(gateway_client, ledger):
    response = gateway_client.get("/getAllBilling?status=overdue")
    assert response.status_code == 200
    rows = body_of(response)
    numbers = sorted(str(row["billingNumber"]) for row in rows)
    assert numbers == numbers_of(ledger, "late", "late_partly_paid")
    assert {row["paymentStatus"] for row in rows} == {"unpaid"}
    refused = gateway_client.get("/getAllBilling?status=late")
    assert refused.status_code == 400
    assert refused.json() == {
        "success": "false",
        "message": "status must be paid, unpaid or overdue",
    }


def test_the_gateways_overdue_list_costs_the_same_queries_for_1_or_12(gateway_client, today):
    def add_late(count):
        InvoiceFactory.create_batch(count, issue_date=today - 40 * DAY, due_date=today - 10 * DAY)

    def rows():
        return body_of(gateway_client.get("/getAllBilling?status=overdue"))

    add_late(1)
    rows()
    one = queries_of(rows)
    add_late(11)
    assert len(rows()) == 12
    assert queries_of(rows) == one
