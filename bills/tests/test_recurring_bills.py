"""Recurring bills: a bill created with a ``recurring`` interval is the master of
a series whose next bills are issued on their ``rbill_date``, each period once,
until its end date or its cancellation."""

import datetime
import io
import os
import subprocess
import sys
from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing_site.testing import ROOT, bearer_client
from bills import recurrence, services
from bills.models import Bill, ProductCollection
from bills.services import collection_create
from bills.tasks import issue_recurring_bills
from bills.tests.test_bad_input import assert_face_error
from bills.tests.test_bills_api import DOCUMENT_BILL, PERMS, make_bill
from events.models import Event
from invoices.models import VIEW_ALL_CUSTOMERS, Invoice
from invoices.services import invoice_void
from invoices.tests.factories import UserFactory
from payments.services import payment_record

pytestmark = pytest.mark.django_db

D = datetime.date.fromisoformat
MONTHLY = {**DOCUMENT_BILL, "due": "2026-01-25", "recurring": 3}


@pytest.fixture
def client():
    return bearer_client(UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS]))


@pytest.fixture
def collection():
    return collection_create(code="demo", title="Demo")


def master_from(anchor: str, recurring=Bill.Recurring.MONTHLY, end=None, due="2026-01-25"):
    """A master whose series started on ``anchor`` (as if created that day)."""
    master = make_bill(collection_create(code=f"c{anchor}", title="C"), due=due)
    first = recurrence.next_date(D(anchor), recurring, D(anchor))
    Invoice.objects.filter(pk=master.invoice_id).update(issue_date=D(anchor))
    Bill.objects.filter(pk=master.pk).update(
        recurring=recurring, recurring_end_date=end and D(end), rbill_date=first
    )
    master.refresh_from_db()
    return master


def children(master) -> list[tuple[str, str]]:
    return [
        (f"{bill.rbill_date}", f"{bill.invoice.due_date}")
        for bill in master.children.select_related("invoice").order_by("rbill_date")
    ]


def issue(day: str) -> list[Bill]:
    return services.bills_recurring_issue(today=D(day)).issued


# The calendar


@pytest.mark.parametrize(
    "anchor,recurring,after,expected",
    [
        ("2026-01-31", 3, "2026-01-31", "2026-02-28"),
        ("2026-01-31", 3, "2026-02-28", "2026-03-31"),  # from the anchor, no drift
        ("2024-01-31", 3, "2024-01-31", "2024-02-29"),
        ("2026-01-31", 4, "2026-01-31", "2026-04-30"),
        ("2024-02-29", 5, "2024-02-29", "2025-02-28"),
        ("2024-02-29", 5, "2027-03-01", "2028-02-29"),
        ("2026-01-01", 1, "2026-01-01", "2026-01-02"),
        ("2026-01-01", 2, "2026-01-10", "2026-01-15"),
        ("2026-12-15", 3, "2026-12-15", "2027-01-15"),
    ],
)
def test_the_series_calendar(anchor, recurring, after, expected):
    assert recurrence.next_date(D(anchor), recurring, D(after)) == D(expected)


# Creating a master through the API


def test_a_master_created_through_the_api(client, collection):
    today = timezone.localdate()
    end = recurrence.add_months(today, 6)
    body = {**MONTHLY, "recurring_end_date": f"{end}"}
    response = client.post("/api/collections/demo/bills", body, format="json")
    assert response.status_code == 200  # the document's create answers 200
    created = response.json()
    first = recurrence.add_months(today, 1)
    assert {key: created[key] for key in ("recurring", "recurring_end_date", "master_bill")} == {
        "recurring": 3,
        "recurring_end_date": f"{end}",
        "master_bill": None,
    }
    assert created["rbill_date"] == f"{first}"
    assert b'"recurring":3,' in response.content
    master = Bill.objects.get(bill_no=created["bill_no"])
    assert (master.is_master, master.rbill_date, master.recurring_end_date) == (True, first, end)
    invoice = master.invoice
    assert (invoice.status, invoice.period_from, invoice.period_to) == (
        "open",
        today,
        first - datetime.timedelta(days=1),
    )
    again = client.get(f"/api/collections/demo/bills/{master.bill_no}").json()
    assert again == created | {"updated_at": again["updated_at"]}


def test_the_interval_by_name_and_without_an_end(client, collection):
    body = {**MONTHLY, "recurring": "weekly"}
    created = client.post("/api/collections/demo/bills", body, format="json").json()
    today = timezone.localdate()
    assert (created["recurring"], created["recurring_end_date"], created["rbill_date"]) == (
        2,
        None,
        f"{today + datetime.timedelta(days=7)}",
    )
    plain = client.post("/api/collections/demo/bills", {**DOCUMENT_BILL}, format="json").json()
    nulls = {"recurring": None, "recurring_end_date": None, "master_bill": None}
    assert {key: plain[key] for key in [*nulls, "rbill_date"]} == nulls | {"rbill_date": None}
    explicit = {**DOCUMENT_BILL, "recurring": None, "recurring_end_date": None}
    assert client.post("/api/collections/demo/bills", explicit, format="json").status_code == 200


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"recurring": 0}, "recurring"),
        ({"recurring": 6}, "recurring"),
        ({"recurring": "3"}, "recurring"),
        ({"recurring": 3.0}, "recurring"),
        ({"recurring": True}, "recurring"),
        ({"recurring": "Monthly"}, "recurring"),
        ({"recurring": "fortnightly"}, "recurring"),
        ({"recurring": []}, "recurring"),
        ({"recurring": {"every": "month"}}, "recurring"),
        ({"recurring_end_date": "2099-01-01"}, "recurring_end_date"),  # without recurring
        ({"recurring": 3, "recurring_end_date": "01/01/2099"}, "recurring_end_date"),
        ({"recurring": 3, "recurring_end_date": "2099-02-30"}, "recurring_end_date"),
        ({"recurring": 3, "recurring_end_date": 20990101}, "recurring_end_date"),
        ({"recurring": 3, "recurring_end_date": "2020-01-01"}, "recurring_end_date"),
        ({"recurring": 3, "recurring_end_date": "{today}"}, "recurring_end_date"),
        ({"recurring": 5, "recurring_end_date": "{in_a_month}"}, "recurring_end_date"),
    ],
)
def test_a_bad_recurrence_is_refused_in_the_faces_shape(client, collection, changes, field):
    today = timezone.localdate()
    values = {"{today}": f"{today}", "{in_a_month}": f"{recurrence.add_months(today, 1)}"}
    changes = {
        key: values.get(value, value) if isinstance(value, str) else value
        for key, value in changes.items()
    }
    body = {**DOCUMENT_BILL, **changes}
    response = client.post("/api/collections/demo/bills", body, format="json")
    assert_face_error(response, 422, {field})
    assert not Bill.objects.exists()


def test_the_end_may_be_the_first_recurring_date(client, collection):
    first = recurrence.add_months(timezone.localdate(), 1)
    body = {**MONTHLY, "recurring_end_date": f"{first}"}
    assert client.post("/api/collections/demo/bills", body, format="json").status_code == 200


def test_the_recurrence_is_not_changed_by_patch(client, collection):
    master = client.post("/api/collections/demo/bills", MONTHLY, format="json").json()
    url = f"/api/collections/demo/bills/{master['bill_no']}"
    for body in ({"recurring": 5}, {"recurring_end_date": "2099-01-01"}, {"recurring": None}):
        assert_face_error(client.patch(url, body, format="json"), 422, set(body))
    assert Bill.objects.get(bill_no=master["bill_no"]).recurring == 3


# Issuing


def test_the_next_bill_is_issued_on_its_date_and_not_before(collection):
    master = master_from("2026-01-31")
    master_lines = list(master.invoice.lines.values_list("description", "unit_price", "quantity"))
    assert services.bill_issue_recurring(master_id=master.pk, today=D("2026-02-27")) is None
    before = Event.objects.count()
    child = services.bill_issue_recurring(master_id=master.pk, today=D("2026-02-28"))
    assert child is not None
    child = Bill.objects.select_related("invoice").get(pk=child.pk)
    assert (child.master_bill_id, child.rbill_date, child.recurring) == (
        master.pk,
        D("2026-02-28"),
        None,
    )
    assert child.bill_no != master.bill_no and child.invoice_id != master.invoice_id
    invoice = child.invoice
    assert invoice.number != master.invoice.number
    assert (invoice.status, invoice.customer_id, invoice.currency, invoice.total) == (
        "open",
        master.invoice.customer_id,
        "MYR",
        Decimal("105.00"),
    )
    assert (invoice.issue_date, invoice.due_date) == (D("2026-02-28"), D("2026-02-25"))
    assert (invoice.period_from, invoice.period_to) == (D("2026-02-28"), D("2026-03-30"))
    lines = list(invoice.lines.values_list("description", "unit_price", "quantity"))
    assert lines == master_lines
    assert (child.collection_id, child.ref1, child.ref2) == (
        master.collection_id,
        master.ref1,
        master.ref2,
    )
    assert [(pc.product_id, pc.quantity) for pc in child.product_collections.all()] == [
        (pc.product_id, pc.quantity) for pc in master.product_collections.all()
    ]
    events = list(Event.objects.order_by("created_at", "id")[before:].values_list("type", "data"))
    assert [kind for kind, _ in events] == ["invoice.created", "invoice.issued", "bill.created"]
    assert events[-1][1]["bill_no"] == child.bill_no
    assert (events[-1][1]["master_bill"], events[-1][1]["rbill_date"]) == (
        master.pk,
        "2026-02-28",
    )
    master.refresh_from_db()
    assert master.rbill_date == D("2026-03-31")
    assert services.bill_issue_recurring(master_id=master.pk, today=D("2026-03-30")) is None


def test_a_run_twice_issues_once(collection):
    master = master_from("2026-01-15")
    assert len(issue("2026-02-15")) == 1
    assert issue("2026-02-15") == [] and issue("2026-02-20") == []
    assert children(master) == [("2026-02-15", "2026-02-25")]


def test_missed_periods_are_each_issued_once_up_to_the_end(collection):
    master = master_from("2026-01-31", end="2026-04-30")
    issued = issue("2026-06-10")
    assert [f"{bill.rbill_date}" for bill in issued] == ["2026-02-28", "2026-03-31", "2026-04-30"]
    assert children(master) == [
        ("2026-02-28", "2026-02-25"),
        ("2026-03-31", "2026-03-25"),
        ("2026-04-30", "2026-04-25"),
    ]
    master.refresh_from_db()
    assert master.rbill_date is None  # the series is over
    assert issue("2027-01-01") == []


def test_the_end_date_is_respected_to_the_day(collection):
    master = master_from("2026-01-01", recurring=Bill.Recurring.WEEKLY, end="2026-01-21")
    assert [f"{b.rbill_date}" for b in issue("2026-02-01")] == ["2026-01-08", "2026-01-15"]
    master.refresh_from_db()
    assert master.rbill_date is None


def test_a_period_is_billed_once_in_the_database(collection):
    master = master_from("2026-01-15")
    child = issue("2026-02-15")[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Bill.objects.create(
            invoice=make_bill(collection).invoice,
            collection=collection,
            bill_no="Dup12345",
            ref1="x",
            ref2="y",
            master_bill=master,
            rbill_date=child.rbill_date,
        )


def test_the_beat_task_issues_what_is_due_today(collection):
    today = timezone.localdate()
    master = master_from(f"{recurrence.add_months(today, -1)}")
    assert issue_recurring_bills.apply().get() == 1
    assert issue_recurring_bills.apply().get() == 0
    assert [bill.rbill_date for bill in master.children.all()] == [today]


def test_a_failing_master_does_not_hold_back_the_others(collection, monkeypatch):
    broken, fine = master_from("2026-01-10"), master_from("2026-01-11")
    real = services._issue_next

    def issue_next(master_id, today):
        if master_id == broken.pk:
            raise services.BillingError("An invoice's total is too large.")
        return real(master_id, today)

    monkeypatch.setattr(services, "_issue_next", issue_next)
    run = services.bills_recurring_issue(today=D("2026-02-11"))
    assert [bill.master_bill_id for bill in run.issued] == [fine.pk]
    assert run.failed == [(broken.bill_no, "An invoice's total is too large.")]


# Cancelling


def test_cancelling_a_master_ends_its_series(client, collection):
    master = master_from("2026-01-15")
    Bill.objects.filter(pk=master.pk).update(collection=collection)
    [first_child] = issue("2026-02-15")
    before = Event.objects.count()
    url = f"/api/collections/demo/bills/{master.bill_no}"
    response = client.patch(url, {"cancel": True}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["recurring"], body["rbill_date"]) == (5, 3, None)
    new = list(Event.objects.order_by("created_at", "id")[before:].values_list("type", flat=True))
    assert new == ["invoice.voided", "bill.cancelled"]
    assert issue("2026-12-31") == []
    first_child.refresh_from_db()
    assert first_child.invoice.status == "open"  # issued before the end: still payable
    assert client.patch(url, {"cancel": True}, format="json").status_code == 200  # no change
    master.refresh_from_db()
    assert master.recurring_stopped_at is not None


def test_a_paid_master_stays_paid_and_its_series_ends(client, collection):
    master = master_from("2026-01-15")
    Bill.objects.filter(pk=master.pk).update(collection=collection)
    payment_record(invoice_id=master.invoice_id, amount=Decimal("105.00"), method="cash")
    url = f"/api/collections/demo/bills/{master.bill_no}"
    body = client.patch(url, {"cancel": True}, format="json").json()
    assert (body["status"], body["paid"], body["rbill_date"]) == (4, True, None)
    assert issue("2026-03-01") == []


def test_cancelling_a_bill_of_the_series_leaves_the_series(client, collection):
    master = master_from("2026-01-15")
    Bill.objects.filter(pk=master.pk).update(collection=collection)
    [child] = issue("2026-02-15")
    Bill.objects.filter(pk=child.pk).update(collection=collection)
    url = f"/api/collections/demo/bills/{child.bill_no}"
    assert client.patch(url, {"cancel": True}, format="json").json()["status"] == 5
    assert [f"{bill.rbill_date}" for bill in issue("2026-03-15")] == ["2026-03-15"]
    assert children(master)[0][0] == "2026-02-15"  # its period is not billed again


def test_a_master_voided_through_another_face_ends_its_series(collection):
    master = master_from("2026-01-15")
    with transaction.atomic():
        invoice_void(invoice=master.invoice)
    assert issue("2026-03-01") == []
    master.refresh_from_db()
    assert (master.rbill_date, master.recurring_stopped_at is not None) == (None, True)


# The bill object of a series


def test_a_bill_of_the_series_shows_its_master_and_period(client, collection):
    master = master_from("2026-01-15")
    Bill.objects.filter(pk=master.pk).update(collection=collection)
    [child] = issue("2026-02-15")
    body = client.get(f"/api/collections/demo/bills/{child.bill_no}").json()
    assert {key: body[key] for key in ("recurring", "recurring_end_date", "master_bill")} == {
        "recurring": None,
        "recurring_end_date": None,
        "master_bill": master.pk,
    }
    assert body["rbill_date"] == "2026-02-15"
    assert (body["total_amount"], body["status"]) == ("105.00", 2)
    listed = client.get("/api/collections/demo/bills").json()["data"]
    assert [(row["bill_no"], row["master_bill"]) for row in listed] == [
        (child.bill_no, master.pk),
        (master.bill_no, None),
    ]


def test_listing_a_series_takes_the_same_queries_however_long(client, collection):
    master = master_from("2026-01-01", recurring=Bill.Recurring.DAILY)
    Bill.objects.filter(pk=master.pk).update(collection=collection)

    def list_queries():
        Bill.objects.filter(master_bill=master).update(collection=collection)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/collections/demo/bills?include=account")
        assert response.status_code == 200
        return len(queries), response.json()["total"]

    issue("2026-01-02")
    list_queries()  # the user's permissions read once, then cached
    short, total = list_queries()
    assert total == 2
    issue("2026-01-12")
    long, total = list_queries()
    assert (long, total) == (short, 12)


# The command


def run_command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_recurring_bills", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_issues_and_says_so(collection):
    master = master_from("2026-01-31")
    out, _ = run_command("--date", "2026-03-31", "--dry-run", "-v", "2")
    assert out.splitlines() == [
        f"{master.bill_no}: would issue the bill of 2026-02-28",
        f"{master.bill_no}: would issue the bill of 2026-03-31",
        "2 recurring bill(s) due on 2026-03-31 (dry run: nothing issued).",
    ]
    assert not master.children.exists()
    out, _ = run_command("--date", "2026-03-31", "-v", "2")
    issued = list(master.children.order_by("rbill_date"))
    assert out.splitlines() == [
        f"{master.bill_no}: issued {issued[0].bill_no} for 2026-02-28",
        f"{master.bill_no}: issued {issued[1].bill_no} for 2026-03-31",
        "2 recurring bill(s) issued for 2026-03-31.",
    ]
    assert run_command("--date", "2026-03-31") == (
        "0 recurring bill(s) issued for 2026-03-31.\n",
        "",
    )
    assert run_command("--date", "2026-03-31", "-v", "0") == ("", "")


@pytest.mark.parametrize(
    "args,message",
    [
        (["--date", "31/03/2026"], "--date is not a date written YYYY-MM-DD: '31/03/2026'"),
        (["--date", "2026-02-30"], "--date is not a date written YYYY-MM-DD: '2026-02-30'"),
        (["--date", "2999-01-01"], "--date 2999-01-01 is after today"),
    ],
)
def test_the_commands_bad_dates(args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        run_command(*args)


def test_the_command_names_a_master_it_could_not_issue_from(collection, monkeypatch):
    master = master_from("2026-01-10")
    monkeypatch.setattr(
        services,
        "_issue_next",
        lambda master_id, today: (_ for _ in ()).throw(services.BillingError("Too large.")),
    )
    with pytest.raises(CommandError, match=f"Not issued from {master.bill_no}: Too large."):
        run_command("--date", "2026-02-10")


@pytest.mark.parametrize(
    "args,status,stderr",
    [
        (
            ["--date"],
            2,
            "manage.py issue_recurring_bills: error: argument --date: expected one argument "
            "(see --help)",
        ),
        (
            ["--dry"],
            2,
            "manage.py issue_recurring_bills: error: unrecognized arguments: --dry (see --help)",
        ),
        (
            ["--date", "2026-13-01"],
            1,
            "CommandError: --date is not a date written YYYY-MM-DD: '2026-13-01'",
        ),
    ],
)
def test_the_commands_exit_status(tmp_path, args, status, stderr):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "billing_site.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY": "recurring-test-" + "x9" * 30,
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, ROOT / "manage.py", "issue_recurring_bills", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stderr.splitlines(), done.stdout) == (status, [stderr], "")


# The admin and the schema


def test_the_admin_shows_a_masters_series(admin_client, collection):
    master = master_from("2026-01-15")
    [child] = issue("2026-02-15")
    page = admin_client.get(f"/admin/bills/bill/{master.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert child.bill_no in text and "Bills of the series" in text
    assert "March 15, 2026" in text or "2026-03-15" in text  # the next date
    child_page = admin_client.get(f"/admin/bills/bill/{child.pk}/change/").content.decode()
    assert f"/admin/bills/bill/{master.pk}/change/" in child_page
    listed = admin_client.get("/admin/bills/bill/?recurrence=master")
    assert listed.status_code == 200 and master.bill_no in listed.content.decode()


def test_the_schema_describes_the_recurrence(api_client):
    schema = yaml.safe_load(api_client.get("/api/schema/").content)
    parts = schema["components"]["schemas"]
    create = parts["BillCreateRequest"]["properties"]
    # Null (no recurrence) is accepted too: OpenAPI 3.0 says so on the first branch.
    assert [choice["enum"] for choice in create["recurring"]["oneOf"]] == [
        [1, 2, 3, 4, 5, None],
        ["daily", "weekly", "monthly", "quarterly", "yearly"],
    ]
    assert create["recurring"]["oneOf"][0]["nullable"]
    assert create["recurring_end_date"]["format"] == "date"
    bill = parts["Bill"]["properties"]
    assert bill["recurring"]["nullable"] and parts["RecurringEnum"]["enum"] == [1, 2, 3, 4, 5]
    assert bill["master_bill"]["type"] == "integer" and bill["master_bill"]["nullable"]
    assert bill["rbill_date"]["format"] == "date"


def test_no_orphan_product_lines(collection):
    master_from("2026-01-15")
    issue("2026-04-15")
    assert ProductCollection.objects.values("bill").distinct().count() == Bill.objects.count()
