"""``POST /api/v2/reports/{id}/invoice``: a billing report turned into its
customer's invoice, once, with the report's amounts exactly; the report shows
its invoice. Exact on SQLite and MariaDB (run with ``DATABASE_URL=mysql://...``)."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import RequestLog
from billing_site.errors import BillingError
from billing_site.testing import bearer_client
from events.models import Event
from invoices.models import VIEW_ALL_CUSTOMERS, Invoice
from invoices.services import invoice_void
from invoices.tests.factories import CustomerFactory, UserFactory
from payments.services import payment_record, payment_refund
from reports.api.views import ReportViewSet
from reports.models import BillingReport
from reports.services import report_bill, report_for_period, report_generate
from reports.tests.factories import make_orders
from reports.tests.wire import exact_json

pytestmark = pytest.mark.django_db

FACE = "api.use_reports"
PERMS = ["reports.view_billingreport", "invoices.add_invoice", FACE]
JANUARY = datetime.date(2023, 1, 1), datetime.date(2023, 1, 31)


@pytest.fixture
def client():
    return bearer_client(UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS]))


def make_report(customer=None, *, count=3, costs=None, period=JANUARY) -> BillingReport:
    customer = customer or CustomerFactory(name="ACME Corp")
    if count:
        make_orders(customer, count=count, costs=costs or {"Picking": 50025, "Shipping": 100010})
    return report_generate(customer=customer, start_date=period[0], end_date=period[1])


@pytest.fixture
def report():
    return make_report()


def bill(client, report_id, body=None, **extra):
    return client.post(f"/api/v2/reports/{report_id}/invoice", body or {}, format="json", **extra)


def test_the_first_call_makes_the_invoice_and_every_later_one_answers_it(client, report):
    first = bill(client, report.pk)
    assert first.status_code == 201
    made = exact_json(first)
    again = bill(client, report.pk)
    assert again.status_code == 200
    assert exact_json(again) == made
    # Without the trailing slash and with it, an empty body or none.
    assert client.post(f"/api/v2/reports/{report.pk}/invoice/").status_code == 200
    assert Invoice.objects.count() == 1
    invoice = Invoice.objects.get()
    report.refresh_from_db()
    assert report.invoice_id == invoice.pk == made["id"]
    assert made["url"] == f"/api/v1/invoices/{invoice.pk}"
    assert first["Location"] == f"http://testserver/api/v1/invoices/{invoice.pk}"
    assert made["report_id"] == report.pk
    assert made["number"] == invoice.number


def test_the_invoice_bills_each_service_of_the_report_for_its_period(client, report):
    body = exact_json(bill(client, report.pk))
    today = timezone.localdate()
    assert body["customer_id"] == report.customer_id
    assert body["customer"]["name"] == "ACME Corp"
    assert (body["period_from"], body["period_to"]) == ("2023-01-01", "2023-01-31")
    assert body["description"] == f"Billing report {report.pk}: 2023-01-01 to 2023-01-31"
    assert body["status"] == "open" and body["date"] == today.isoformat()
    assert body["due_date"] == (today + datetime.timedelta(days=30)).isoformat()
    assert body["currency"] == "USD"
    # 3 x 500.25 and 3 x 1000.10, by hand
    assert [
        (line["description"], line["quantity"], line["price"], line["tax"], line["total"])
        for line in body["line_items"]
    ] == [
        ("Picking", Decimal("1"), Decimal("1500.75"), 0, Decimal("1500.75")),
        ("Shipping", Decimal("1"), Decimal("3000.30"), 0, Decimal("3000.30")),
    ]
    assert (body["subtotal"], body["tax"], body["total"]) == (
        Decimal("4501.05"),
        0,
        Decimal("4501.05"),
    )
    assert body["total"] == report.total_amount
    assert body["balance"] == body["total"] and body["payments"] == []


@pytest.mark.parametrize(
    "currency,costs,lines,total",
    [
        # Fifteen significant digits: what a double (SQLite's REAL) barely holds.
        (
            "USD",
            {"Picking": 123456789012345, "Shipping": 7, "Packing": 99999},
            ["3703703670370.35", "0.21", "2999.97"],
            "3703703673370.53",
        ),
        (
            "IQD",
            {"Picking": 123456789012, "Shipping": 1},
            ["370370367.036", "0.003"],
            "370370367.039",
        ),
        ("JPY", {"Picking": 333333333333, "Shipping": 1}, ["999999999999", "3"], "1000000000002"),
    ],
)
def test_amounts_are_exact_in_the_reports_currency(client, settings, currency, costs, lines, total):
    settings.DEFAULT_CURRENCY = currency  # what a report is made in
    report = make_report(count=3, costs=costs)
    body = exact_json(bill(client, report.pk))
    assert body["currency"] == currency
    assert [line["price"] for line in body["line_items"]] == [Decimal(amount) for amount in lines]
    assert body["total"] == Decimal(total) == report.total_amount
    # As stored, read back from the database (SQLite keeps decimals as doubles).
    invoice = Invoice.objects.get(pk=body["id"])
    stored = list(invoice.lines.values_list("unit_price", "subtotal", "total"))
    assert stored == [(Decimal(amount),) * 3 for amount in lines]
    assert (invoice.subtotal, invoice.total) == (Decimal(total), Decimal(total))
    # Numbers on the wire with the currency's places, never through a float.
    raw = bill(client, report.pk).content.decode()
    assert f'"total":{total},' in raw


def test_a_draft_on_request_due_on_its_day(client, report):
    due = timezone.localdate() + datetime.timedelta(days=5)
    response = bill(client, report.pk, {"issue": False, "due_date": due.isoformat()})
    assert response.status_code == 201
    body = exact_json(response)
    assert (body["status"], body["date"], body["due_date"]) == ("draft", None, due.isoformat())
    # Billed once: another call asking for an issued invoice answers the draft.
    again = bill(client, report.pk, {"issue": True})
    assert (again.status_code, exact_json(again)["status"]) == (200, "draft")
    # The draft is issued through the invoices face, and the report shows it so.
    invoice = Invoice.objects.get(pk=body["id"])
    assert invoice.issue_date is None and invoice.issued_at is None
    assert exact_json(client.get(f"/api/v2/reports/{report.pk}/"))["invoice"]["status"] == "draft"


def test_the_invoice_services_write_its_events(client, report):
    body = exact_json(bill(client, report.pk))
    events = list(Event.objects.filter(type__startswith="invoice.").order_by("created_at", "id"))
    assert [event.type for event in events] == ["invoice.created", "invoice.issued"]
    assert {event.data["id"] for event in events} == {body["id"]}
    assert events[1].data["total"] == "4501.05" and events[1].customer_id == report.customer_id
    bill(client, report.pk)  # answered, not made again: no event
    assert Event.objects.filter(type__startswith="invoice.").count() == 2
    draft = exact_json(bill(client, make_report(count=1).pk, {"issue": False}))
    assert list(
        Event.objects.filter(type__startswith="invoice.", data__id=draft["id"]).values_list(
            "type", flat=True
        )
    ) == ["invoice.created"]


def test_a_voided_invoice_stays_the_reports(client, report):
    made = exact_json(bill(client, report.pk))
    invoice_void(invoice=Invoice.objects.get(pk=made["id"]))
    again = bill(client, report.pk)
    assert (again.status_code, exact_json(again)["id"], exact_json(again)["status"]) == (
        200,
        made["id"],
        "void",
    )
    assert Invoice.objects.count() == 1


@pytest.mark.parametrize(
    "count,costs",
    [(0, None), (2, {"Picking": 0, "Shipping": 0})],
    ids=["no orders", "only zero costs"],
)
def test_a_report_with_nothing_to_bill_is_a_409(client, count, costs):
    report = make_report(count=count, costs=costs)
    response = bill(client, report.pk)
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Report {report.pk} has nothing to bill: its period (2023-01-01 to "
        "2023-01-31) has no service costs above zero."
    }
    assert not Invoice.objects.exists()
    assert not Event.objects.filter(type__startswith="invoice.").exists()


def test_a_customer_user_bills_only_its_own_reports(report):
    own = make_report(CustomerFactory(), count=1)
    user = UserFactory(perms=PERMS)
    own.customer.users.add(user)
    client = bearer_client(user)
    refused = bill(client, report.pk)
    assert (refused.status_code, refused.json()) == (404, {"detail": "Not found."})
    assert not Invoice.objects.filter(customer=report.customer).exists()
    assert bill(client, own.pk).status_code == 201
    # A user linked to no customer sees none.
    assert bill(bearer_client(UserFactory(perms=PERMS)), own.pk).status_code == 404


@pytest.mark.parametrize("report_id", ["999999", "abc", "\u0661", "0", "1" * 30])
def test_a_report_that_is_not_one_is_a_404_in_the_faces_shape(client, report_id):
    response = client.post(f"/api/v2/reports/{report_id}/invoice")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


@pytest.mark.parametrize(
    "perms,status",
    [
        (["reports.view_billingreport", FACE], 403),  # may read reports, not make invoices
        (["invoices.add_invoice", FACE], 403),
        (["reports.view_billingreport", "invoices.add_invoice"], 403),  # not this face
    ],
)
def test_billing_needs_the_reports_view_the_invoices_add_and_the_face(report, perms, status):
    response = bill(bearer_client(UserFactory(perms=[*perms, VIEW_ALL_CUSTOMERS])), report.pk)
    assert response.status_code == status
    assert set(response.json()) == {"detail"}
    assert not Invoice.objects.exists()


def test_without_a_token_it_is_a_401(api_client, report):
    response = api_client.post(f"/api/v2/reports/{report.pk}/invoice")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize(
    "body,fields",
    [
        ({"issue": "yes"}, ["issue"]),
        ({"issue": 1}, ["issue"]),
        ({"due_date": "2023-13-01"}, ["due_date"]),
        ({"due_date": "2000-01-01"}, ["due_date"]),
        ({"customer_id": 5}, ["customer_id"]),
        ({"issue": None, "amount": 5}, ["amount", "issue"]),
        ([{"issue": True}], ["non_field_errors"]),
        ("issue", ["non_field_errors"]),
    ],
)
def test_bad_input_is_a_400_naming_the_fields_at_fault(client, report, body, fields):
    response = client.post(f"/api/v2/reports/{report.pk}/invoice", body, format="json")
    assert response.status_code == 400
    error = response.json()
    assert set(error) <= {"error", "errors"} and error["error"]
    for field in fields:
        if field != "non_field_errors":
            assert field in error["errors"] and field in error["error"]
    assert not Invoice.objects.exists()


def test_malformed_json_and_unknown_query_parameters_are_400s(client, report):
    broken = client.post(
        f"/api/v2/reports/{report.pk}/invoice", "{", content_type="application/json"
    )
    assert broken.status_code == 400 and set(broken.json()) == {"error"}
    query = client.post(f"/api/v2/reports/{report.pk}/invoice?issue=false", {}, format="json")
    assert query.status_code == 400
    assert query.json()["errors"] == {"issue": ["Unknown query parameter."]}
    assert not Invoice.objects.exists()


def test_each_call_is_a_row_of_the_request_log(client, report):
    made = exact_json(bill(client, report.pk, {"issue": True}))
    bill(client, report.pk)
    rows = list(
        RequestLog.objects.filter(endpoint=f"/api/v2/reports/{report.pk}/invoice").order_by("id")
    )
    assert [(row.method, row.status_code) for row in rows] == [("POST", 201), ("POST", 200)]
    assert json.loads(rows[0].request_body) == {"issue": True}
    assert json.loads(rows[0].response_body)["id"] == made["id"]
    assert rows[0].user_id is not None


def test_a_retry_with_the_same_idempotency_key_replays_the_first_answer(client, report):
    first = bill(client, report.pk, HTTP_IDEMPOTENCY_KEY="bill-1")
    again = bill(client, report.pk, HTTP_IDEMPOTENCY_KEY="bill-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert bill(client, report.pk, HTTP_IDEMPOTENCY_KEY="bill-2").status_code == 200


def test_the_report_detail_and_list_link_their_invoice(client, report):
    other = make_report(count=1)
    assert exact_json(client.get(f"/api/v2/reports/{report.pk}/"))["invoice"] is None
    made = exact_json(bill(client, report.pk))
    link = {
        "id": made["id"],
        "number": made["number"],
        "status": "open",
        "amount_paid": Decimal("0.00"),
        "amount_refunded": Decimal("0.00"),
        "balance": Decimal("4501.05"),
        "url": f"/api/v1/invoices/{made['id']}",
    }
    detail = exact_json(client.get(f"/api/v2/reports/{report.pk}/"))
    assert detail["invoice"] == link
    # Additive: the document's keys are all there, with their values as before.
    assert detail["total_amount"] == Decimal("4501.05") and len(detail["orders"]) == 3
    listed = {row["id"]: row["invoice"] for row in exact_json(client.get("/api/v2/reports/"))}
    assert listed == {report.pk: link, other.pk: None}
    paged = exact_json(client.get("/api/v2/reports/?page=1"))
    assert {row["id"]: row["invoice"] for row in paged} == listed
    downloaded = exact_json(client.get(f"/api/v2/reports/{report.pk}/download/?format=json"))
    assert downloaded["invoice"] == link


def queries_of(client, url) -> tuple[int, list]:
    with CaptureQueriesContext(connection) as queries:
        rows = exact_json(client.get(url))
    return len(queries), rows


@pytest.mark.parametrize("url", ["/api/v2/reports/", "/api/v2/reports/?page_size=8"])
def test_the_list_costs_the_same_however_many_reports_are_billed(client, monkeypatch, url):
    monkeypatch.setattr(ReportViewSet, "stream_batch_size", 5)
    reports = [make_report(count=1) for _ in range(8)]
    client.get(url)  # what the first answer to a token reads once
    costs = []
    for billed in (reports[:3], reports[3:]):
        costs.append(queries_of(client, url)[0])
        for report in billed:
            report_bill(report=report)
    cost, rows = queries_of(client, url)
    assert costs == [cost, cost]
    assert all(row["invoice"]["status"] == "open" for row in rows) and len(rows) == 8


def test_a_billed_report_is_not_made_again(report):
    invoice, created = report_bill(report=report)
    assert created
    with pytest.raises(BillingError, match=f"Report {report.pk} is billed"):
        report_for_period(
            customer=report.customer, start_date=JANUARY[0], end_date=JANUARY[1], replace=True
        )
    report.refresh_from_db()
    assert report.invoice_id == invoice.pk and report.total_minor == 450105
    # Kept, as it is, when not asked to replace it.
    kept, outcome = report_for_period(
        customer=report.customer, start_date=JANUARY[0], end_date=JANUARY[1]
    )
    assert (kept.pk, outcome) == (report.pk, "kept")


def test_an_invoice_of_a_report_is_never_deleted_from_under_it(client, report):
    made = exact_json(bill(client, report.pk, {"issue": False}))
    staff = bearer_client(UserFactory(is_staff=True, is_superuser=True))
    # The invoices face's DELETE voids; the draft stays, and stays the report's.
    assert staff.delete(f"/api/v1/invoices/{made['id']}").status_code == 204
    report.refresh_from_db()
    assert report.invoice.status == "void"


def test_the_admin_shows_the_invoice_and_bills_through_the_service(admin_client, report):
    unbilled = make_report(count=1)
    made, _ = report_bill(report=report)
    page = admin_client.get(f"/admin/reports/billingreport/{report.pk}/change/")
    assert page.status_code == 200
    assert f"/admin/invoices/invoice/{made.pk}/change/".encode() in page.content
    listing = admin_client.get("/admin/reports/billingreport/")
    assert made.number.encode() in listing.content
    response = admin_client.post(
        "/admin/reports/billingreport/",
        {"action": "bill_reports", "_selected_action": [report.pk, unbilled.pk]},
        follow=True,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "1 report(s) billed." in text and "1 report(s) were billed before." in text
    unbilled.refresh_from_db()
    assert unbilled.invoice.status == "open"
    assert Invoice.objects.count() == 2


def test_the_schema_describes_billing(api_client):
    schema = yaml.safe_load(api_client.get("/api/schema/").content)
    operation = schema["paths"]["/api/v2/reports/{id}/invoice/"]["post"]
    assert operation["summary"]
    assert {"200", "201", "400", "403", "404", "409"} <= set(operation["responses"])
    assert "Idempotency-Key" in [parameter["name"] for parameter in operation["parameters"]]
    assert "invoice" in schema["components"]["schemas"]["Report"]["properties"]


def test_the_list_filters_billed_reports(client, report):
    unbilled = make_report(count=1)
    report_bill(report=report)

    def ids(query):
        return [row["id"] for row in exact_json(client.get(f"/api/v2/reports/{query}"))]

    assert ids("?billed=true") == [report.pk]
    assert ids("?billed=false") == [unbilled.pk]
    assert ids("?billed=false&customer_id=" + str(report.customer_id)) == []
    wrong = client.get("/api/v2/reports/?billed=yes")
    assert wrong.status_code == 400 and "billed" in wrong.json()["errors"]


def test_generate_reports_force_leaves_a_billed_report_as_billed(report):
    report_bill(report=report)
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 1 report"):
        call_command(
            "generate_reports",
            *("--month", "2023-01", "--force", "--customer", str(report.customer_id)),
            stdout=StringIO(),
            stderr=err,
        )
    assert f"Report {report.pk} is billed" in err.getvalue()
    assert BillingReport.objects.get().total_minor == 450105


def test_the_reports_invoice_link_shows_what_was_paid_and_refunded(client, report):
    invoice_id = exact_json(bill(client, report.pk))["id"]
    payment = payment_record(invoice_id=invoice_id, amount=Decimal("4501.05"), method="cash")
    payment_refund(payment_id=payment.pk, amount=Decimal("1.05"), reason="Overcharged")
    link = exact_json(client.get(f"/api/v2/reports/{report.pk}/"))["invoice"]
    assert (link["amount_paid"], link["amount_refunded"], link["balance"]) == (
        Decimal("4500.00"),
        Decimal("1.05"),
        Decimal("1.05"),
    )
    assert link["status"] == "partially_refunded"  # due in 30 days: not overdue
