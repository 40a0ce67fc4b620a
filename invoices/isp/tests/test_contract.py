"""Document 002 replayed: every request it lists is sent as its clients send
it, and each answer has the keys and the JSON types (number, string, null,
array, object) of the document's sample output, written below as the
document gives it. Dates and times also have the samples' formats."""

import datetime
import json
import re
from decimal import Decimal

import pytest

from billing_site.testing import bearer_client, json_type
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.services import LineInput, invoice_create
from invoices.tests.factories import CustomerFactory, UserFactory
from payments.services import payment_record

pytestmark = pytest.mark.django_db

# T1 - Get all invoice IDs
T1 = {"12960": 12960, "12961": 12961, "12855": 12855}

# T2 - Get Invoice details (the document's "balance":"200, lacks its closing quote)
T2 = [
    {
        "invoiceNumber": "10",
        "amount": "1600",
        "balance": "200",
        "description": "Product1 Period from 09/26/2016 to 09/30/2016",
        "billGeneratedDate": "2016-09-26 00:00:00+05:30",
        "detailsOfInvoice": [
            "",
            {
                "amount": "799.00",
                "description": "799 metro plus - Period from 01 Oct 2015 to 31 Oct 2015",
            },
            {"amount": "111.86", "description": "Service Tax"},
        ],
        "name": "",
        "user_id": "8",
        "circuit_id": "8",
        "billingPeriodFrom": "2016-09-26",
        "billingPeriodTo": "2016-09-30",
        "billingDueDate": "2016-10-10",
    }
]
# What the service adds to T2's object: the invoice's client status.
T2_ADDITIONS = {"status": "string"}

# T3 - Get all invoices from userId
T3 = [{"2109": 2109, "2302": 2302, "2704": 2704}]

# T4 - Get all invoices
T4 = [
    [
        {
            "Contact": {
                "user_id": "447",
                "person_title": "91095701",
                "status": "active",
                "group_name": "2 Mbps",
                "first_name": "",
                "last_name": "Customer",
                "email": "[email protected]",
                "phone_phone_number": "9999999999",
                "street_addres1": "123 Anywhere St",
                "street_addres2": "",
                "account_id": "accountId",
                "create_datetime": "2018-10-08 13:19:46",
                "user_created": "2018-10-08 13:19:46",
                "gst_number": None,
                "gst_start_date": None,
                "deleted": "0",
                "profile_name": "2 Mbps Profile",
            },
            "Invoice": {
                "id": "865",
                "public_number": "862",
                "balance": "201.29",
                "total": "201.29032258064",
                "status_id": "27",
                "create_timestamp": "2018-10-08 13:19:47",
                "package_name": "2 Mbps Profile",
            },
        }
    ]
]

# T5 - Get invoice receipt
T5 = {
    "status": "success",
    "errorCode": 200,
    "message": "http://10.0.0.91:8095/jazetest/invoice1020.pdf",
}

# The samples' dates and times, whose format the answers keep.
DATED = {
    "billGeneratedDate",
    "billingPeriodFrom",
    "billingPeriodTo",
    "billingDueDate",
    "create_datetime",
    "user_created",
    "create_timestamp",
}


def shape(value):
    """The JSON type of ``value``, and of what it holds: an object's keys each
    with the shape of its value, an array's items each with its own."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return json_type(value)


def id_map_shape(value) -> str:
    """An invoice-ids map's shape: each key the digits of its value, a number."""
    assert json_type(value) == "object" and value
    assert all(json_type(pk) == "number" and key == str(pk) for key, pk in value.items())
    return "id map"


def format_of(text: str) -> str:
    """A sample's format: its digits any digits, its UTC offset's sign either."""
    return re.sub(r"\d", r"\\d", re.escape(text)).replace(r"\+", "[+-]")


def dates_of(value, found=None) -> dict:
    """The dated keys of ``value`` (at any depth) with their values."""
    found = {} if found is None else found
    if isinstance(value, dict):
        for key, item in value.items():
            if key in DATED:
                found[key] = item
            dates_of(item, found)
    elif isinstance(value, list):
        for item in value:
            dates_of(item, found)
    return found


def assert_formats_of(sample, answer):
    expected = dates_of(sample)
    for key, value in dates_of(answer).items():
        assert re.fullmatch(format_of(expected[key]), value), (key, value)


def answer_of(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(content)


@pytest.fixture
def isp():
    """The ISP's client, which reads every customer."""
    return bearer_client(
        UserFactory(perms=["invoices.view_invoice", "api.use_isp", VIEW_ALL_CUSTOMERS])
    )


@pytest.fixture
def ledger():
    """T2's invoice (one line, tax, paid in part), a paid one, and T4's
    customer: no last name, email, phone or street, and no GST number."""
    user = CustomerFactory(
        account_number="91095701", first_name="", last_name="", email="", phone="", street=""
    )
    invoice = invoice_create(
        customer=user,
        currency="INR",
        description="Product1 Period from 09/26/2016 to 09/30/2016",
        lines=[
            LineInput(
                description="799 metro plus - Period from 01 Oct 2015 to 31 Oct 2015",
                unit_price=Decimal("799.00"),
                tax_rate=Decimal("14"),
            )
        ],
        issue_date=datetime.date(2016, 9, 26),
        due_date=datetime.date(2016, 10, 10),
        period_from=datetime.date(2016, 9, 26),
        period_to=datetime.date(2016, 9, 30),
        issue=True,
    )
    payment_record(invoice_id=invoice.pk, amount=Decimal("710.86"), method="cash")
    other = invoice_create(
        customer=user,
        currency="INR",
        description="2 Mbps Profile",
        lines=[LineInput(description="2 Mbps", unit_price=Decimal("201.29"))],
        issue_date=datetime.date(2018, 10, 8),
        issue=True,
    )
    payment_record(invoice_id=other.pk, amount=other.total, method="cash")
    return {"user": user, "invoice": invoice, "other": other}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/get_all_invoice_ids",
        "/api/v1/get_all_invoice_ids/2016-01-01",
        "/api/v1/get_all_invoice_ids/2016-01-01/2018-12-31",
        "/api/v1/get_all_invoice_ids/2016-01-01/2018-12-31/paid",
        "/api/v1/get_all_invoice_ids/2016-01-01/2018-12-31/unpaid",
        "/api/v1/get_all_invoice_ids/2016-01-01/2018-12-31/all",
    ],
)
def test_t1_get_all_invoice_ids(isp, ledger, path):
    assert id_map_shape(answer_of(isp.get(path))) == id_map_shape(T1)


def test_t2_get_invoice_details(isp, ledger):
    answer = answer_of(isp.get(f"/api/v1/get_invoice_details/{ledger['invoice'].pk}"))
    assert shape(answer) == [{**shape(T2[0]), **T2_ADDITIONS}]
    assert_formats_of(T2, answer)


@pytest.mark.parametrize("status", ["", "/paid", "/unpaid"])
def test_t3_get_all_invoices_from_userid(isp, ledger, status):
    answer = answer_of(isp.get(f"/api/v1/get_all_invoices_from_userid/{ledger['user'].pk}{status}"))
    assert json_type(answer) == json_type(T3) and len(answer) == len(T3) == 1
    assert id_map_shape(answer[0]) == id_map_shape(T3[0])


@pytest.mark.parametrize("dates", ["", "/2018-01-01", "/2018-01-01/2018-12-31"])
def test_t4_get_all_invoices(isp, ledger, dates):
    answer = answer_of(isp.get(f"/api/v1/get_all_invoices{dates}"))
    assert json_type(answer) == "array" and len(answer) == len(T4) == 1
    assert answer[0], "no rows to compare"
    for row in answer[0]:
        assert shape(row) == shape(T4[0][0])
    assert_formats_of(T4, answer)
    contact = answer[0][-1]["Contact"]
    placeholders = ("last_name", "phone_phone_number", "street_addres1", "deleted")
    assert [contact[key] for key in placeholders] == [T4[0][0]["Contact"][k] for k in placeholders]


def test_t5_get_invoice_receipt(isp, ledger, api_client):
    invoice = ledger["invoice"]
    answer = answer_of(isp.get(f"/api/v1/get_invoice_receipt/{invoice.customer_id}/{invoice.pk}"))
    assert shape(answer) == shape(T5)
    assert (answer["status"], answer["errorCode"]) == (T5["status"], T5["errorCode"])
    assert re.fullmatch(r"http://testserver/\S+\.pdf", answer["message"])
    pdf = api_client.get(answer["message"].removeprefix("http://testserver"))
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")


@pytest.mark.parametrize(
    "path,status",
    [
        ("/api/v1/get_all_invoice_ids/2016-01-01/2018-12-31/due", 400),
        ("/api/v1/get_invoice_details/99999999", 404),
        ("/api/v1/get_all_invoices_from_userid/x", 400),
        ("/api/v1/get_all_invoices/2016-01-01/2016-13-01", 400),
        ("/api/v1/get_invoice_receipt/1/99999999", 404),
    ],
)
def test_errors_have_the_shape_of_t5(isp, ledger, path, status):
    """The document shows no error; the face answers in the shape of its T5
    answer, with ``"error"`` and the HTTP status."""
    response = isp.get(path)
    assert response.status_code == status
    assert shape(response.json()) == shape(T5)
    assert (response.json()["status"], response.json()["errorCode"]) == ("error", status)


def test_the_shape_check_tells_the_types_apart():
    """``shape`` can fail: a number for a string, a null for a string, a key
    missing or added, an array for an object are each another shape."""
    row = T4[0][0]
    for wrong in (
        {**row, "Invoice": {**row["Invoice"], "balance": 201.29}},
        {**row, "Contact": {**row["Contact"], "gst_number": ""}},
        {**row, "Invoice": {**row["Invoice"], "extra": ""}},
        {"Contact": row["Contact"]},
        {**row, "Invoice": [row["Invoice"]]},
    ):
        assert shape(wrong) != shape(row)
    with pytest.raises(AssertionError):
        id_map_shape({"12960": "12960"})
