"""Bad values in paths and query strings, and dates that are not YYYY-MM-DD:
each a JSON answer in the face's error shape, never Django's HTML."""

import pytest

from billing_site.testing import bearer_client
from bills.models import Bill
from bills.services import collection_create
from bills.tests.test_bills_api import DOCUMENT_BILL, PERMS, make_bill
from invoices.models import VIEW_ALL_CUSTOMERS, Invoice
from invoices.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOT_ISO_DATES = [
    "01/02/2023",
    "02.01.2023",
    "2023-1-2",
    "20230102",
    "2023-W01-1",
    "2023-002",
    "2023-01-02T00:00:00",
    "2023-01-02 ",
    "+2023-01-02",
    "2023-02-30",
]


@pytest.fixture
def client():
    return bearer_client(UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS]))


@pytest.fixture
def bill():
    return make_bill(collection_create(code="demo", title="Demo"))


def assert_face_error(response, status: int, errors: set[str] = frozenset()):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"message", "errors"} and body["message"]
    assert set(body["errors"]) == set(errors)


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "method,path,message",
    [
        ("get", "/api/collections/nope", "Collection not found."),
        ("get", "/api/collections/nope/bills", "Collection not found."),
        ("post", "/api/collections/nope/bills", "Collection not found."),
        ("get", "/api/collections/nope/bills/{bill_no}", "Collection not found."),
        ("patch", "/api/collections/nope/bills/{bill_no}", "Collection not found."),
        ("get", "/api/collections/demo/bills/nope", "Bill not found."),
        ("patch", "/api/collections/demo/bills/nope", "Bill not found."),
        ("get", "/api/collections/demo/bills/{bill_no}%00", "Bill not found."),
        ("get", "/api/collections/demo/bills/{bill_no}%20", "Bill not found."),
        ("patch", "/api/collections/demo/bills/{other_case}", "Bill not found."),
        ("get", "/api/collections/DEMO/bills/{bill_no}", "Collection not found."),
        ("get", "/api/collections/demo%20", "Collection not found."),
        ("get", "/api/collections/demo/bills/%F0%9F%92%B8", "Bill not found."),
        ("get", "/api/collections/demo/bills/" + "x" * 5000, "Bill not found."),
        ("get", "/api/collections/%C3%A9/bills", "Collection not found."),
        ("post", "/api/payments/callback/Not%20a%20provider", "Unknown payment provider."),
    ],
)
def test_bad_path_values_are_404_in_the_faces_shape(
    client, bill, settings, debug, method, path, message
):
    settings.DEBUG = debug
    path = path.format(bill_no=bill.bill_no, other_case=bill.bill_no.swapcase())
    response = getattr(client, method)(path, {}, format="json")
    assert_face_error(response, 404)
    assert response.json()["message"] == message


@pytest.mark.parametrize(
    "method,path,status",
    [
        ("put", "/api/collections/demo/bills/{bill_no}", 405),
        ("post", "/api/collections/demo", 405),
        ("delete", "/api/collections/demo/bills/{bill_no}", 403),  # no delete permission
        ("get", "/api/collections/demo/bills?page=99", 404),
        ("get", "/api/collections/demo/bills?page=x", 400),
        ("get", "/api/collections/?per_page=0", 400),
        ("get", "/api/collections/?colour=red", 400),
    ],
)
def test_other_bad_requests_answer_in_the_faces_shape(client, bill, method, path, status):
    response = getattr(client, method)(path.format(bill_no=bill.bill_no))
    assert response.status_code == status
    assert set(response.json()) == {"message", "errors"}
    assert Invoice.objects.get(pk=bill.invoice_id).status == "open"


@pytest.mark.parametrize("date", NOT_ISO_DATES)
def test_a_due_date_not_written_yyyy_mm_dd_is_refused(client, bill, date):
    created = client.post("/api/collections/demo/bills", {**DOCUMENT_BILL, "due": date}, "json")
    assert_face_error(created, 422, {"due"})
    assert Bill.objects.count() == 1
    path = f"/api/collections/demo/bills/{bill.bill_no}"
    assert_face_error(client.patch(path, {"due": date}, format="json"), 422, {"due"})
    assert Invoice.objects.get(pk=bill.invoice_id).due_date.isoformat() == DOCUMENT_BILL["due"]


@pytest.mark.parametrize("name", ["due_from", "due_to"])
@pytest.mark.parametrize("date", NOT_ISO_DATES)
def test_a_date_filter_not_written_yyyy_mm_dd_is_400(client, bill, name, date):
    response = client.get("/api/collections/demo/bills", {name: date})
    assert_face_error(response, 400, {name})


def test_iso_dates_are_taken(client, bill):
    listed = client.get("/api/collections/demo/bills?due_from=2020-06-25&due_to=2020-06-25")
    assert [row["bill_no"] for row in listed.json()["data"]] == [bill.bill_no]
    path = f"/api/collections/demo/bills/{bill.bill_no}"
    assert client.patch(path, {"due": "2024-02-29"}, format="json").json()["due"] == "2024-02-29"
