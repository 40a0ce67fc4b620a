import datetime
import io
import json
import urllib.parse
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from pypdf import PdfReader

from billing_site.testing import bearer_client
from invoices.models import VIEW_ALL_CUSTOMERS, Invoice
from invoices.services import LineInput, invoice_create, invoice_void
from invoices.tests.factories import CustomerFactory, InvoiceFactory, UserFactory
from payments.services import payment_record

pytestmark = pytest.mark.django_db


def body_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(content)


ISP_USER = ["invoices.view_invoice", "api.use_isp"]


@pytest.fixture
def client():
    return bearer_client(UserFactory(perms=[*ISP_USER, VIEW_ALL_CUSTOMERS]))


@pytest.fixture
def ledger():
    """Three issued invoices in January, February and March 2023, and a draft."""
    customer = CustomerFactory(
        name="Jazz Broadband",
        first_name="Ravi",
        last_name="",
        phone="",
        street="",
        city="Pune",
        zip="411001",
        tax_number="",
    )
    paid = InvoiceFactory(customer=customer, issue_date=datetime.date(2023, 1, 5))
    payment_record(invoice_id=paid.pk, amount=paid.total, method="cash")
    partial = InvoiceFactory(customer=customer, issue_date=datetime.date(2023, 2, 5))
    payment_record(invoice_id=partial.pk, amount=Decimal("40"), method="cash")
    other = InvoiceFactory(issue_date=datetime.date(2023, 3, 5))
    draft = InvoiceFactory(customer=customer, issue=False, issue_date=datetime.date(2023, 2, 6))
    return {"customer": customer, "paid": paid, "partial": partial, "other": other, "draft": draft}


def id_map(*invoices):
    return {str(invoice.pk): invoice.pk for invoice in invoices}


def test_all_invoice_ids(client, ledger):
    response = client.get("/api/v1/get_all_invoice_ids")
    assert response.status_code == 200
    assert body_of(response) == id_map(ledger["paid"], ledger["partial"], ledger["other"])


@pytest.mark.parametrize(
    "path,expected",
    [
        ("2023-01-01/2023-02-28", ["paid", "partial"]),
        ("2023-01-01/2023-02-28/paid", ["paid"]),
        ("2023-01-01/2023-12-31/unpaid", ["partial", "other"]),
        ("2023-02-05/2023-02-05/all", ["partial"]),
        ("2024-01-01/2024-12-31", []),
        ("2023-02-05", ["partial", "other"]),
        ("2023-03-06", []),
    ],
)
def test_invoice_ids_by_date_and_status(client, ledger, path, expected):
    response = client.get(f"/api/v1/get_all_invoice_ids/{path}/")
    assert body_of(response) == id_map(*(ledger[name] for name in expected))


def test_a_from_date_alone_is_that_date_onward(client, ledger):
    """The document makes both dates optional: a fromDate alone is every
    invoice issued on it or later, on both lists that take dates."""
    for path in ("2023-02-05", "2023-02-05/"):
        response = client.get(f"/api/v1/get_all_invoice_ids/{path}")
        assert (response.status_code, response["Content-Type"]) == (200, "application/json")
        assert body_of(response) == id_map(ledger["partial"], ledger["other"])
    rows = body_of(client.get("/api/v1/get_all_invoices/2023-02-05"))[0]
    assert [row["Invoice"]["id"] for row in rows] == [
        str(ledger["partial"].pk),
        str(ledger["other"].pk),
    ]


NOT_ISO = [
    "01-01-2023",
    "2023-1-1",
    "2023-01-1",
    "20230101",
    "2023-13-01",
    "2023-02-30",
    "0000-01-01",
    "2023-01-01T00:00:00",
    " 2023-01-01",
    "\u0662\u0660\u0662\u0663-\u0660\u0661-\u0660\u0661",  # Arabic-Indic digits
    "\uff12\uff10\uff12\uff13-\uff10\uff11-\uff10\uff11",  # full-width digits
]


def url(value: str) -> str:
    return urllib.parse.quote(value, safe="")


@pytest.mark.parametrize("value", NOT_ISO)
@pytest.mark.parametrize(
    "template,name",
    [
        ("/api/v1/get_all_invoice_ids/{}", "fromDate"),
        ("/api/v1/get_all_invoice_ids/{}/2023-12-31", "fromDate"),
        ("/api/v1/get_all_invoice_ids/2023-01-01/{}", "toDate"),
        ("/api/v1/get_all_invoice_ids/2023-01-01/{}/paid", "toDate"),
        ("/api/v1/get_all_invoices/{}", "fromDate"),
        ("/api/v1/get_all_invoices/2023-01-01/{}", "toDate"),
    ],
)
def test_dates_are_iso_only(client, ledger, template, name, value):
    response = client.get(template.format(url(value)))
    assert (response.status_code, response["Content-Type"]) == (400, "application/json")
    message = f"{name} must be a date as yyyy-mm-dd, not {value!r}."
    assert response.json() == {"status": "error", "errorCode": 400, "message": message}


def test_a_us_date_written_with_slashes_is_refused(client, ledger):
    """01/01/2023 is three path segments (escaped or not: the slash is decoded
    before routing), read as fromDate, toDate and status: a 400 for the first."""
    for path in ("01/01/2023", "01%2F01%2F2023"):
        response = client.get(f"/api/v1/get_all_invoice_ids/{path}")
        assert response.status_code == 400
        assert response.json() == {
            "status": "error",
            "errorCode": 400,
            "message": "fromDate must be a date as yyyy-mm-dd, not '01'.",
        }


@pytest.mark.parametrize(
    "path,message",
    [
        ("2023-03-01/2023-01-01", "fromDate must not be after toDate."),
        (
            "2023-01-01/2023-03-01/late",
            "status must be one of paid, unpaid, all, overdue, not 'late'.",
        ),
        (
            "2023-01-01/2023-03-01/PAID",
            "status must be one of paid, unpaid, all, overdue, not 'PAID'.",
        ),
        (
            "2023-01-01/2023-03-01/%20paid",
            "status must be one of paid, unpaid, all, overdue, not ' paid'.",
        ),
    ],
)
def test_bad_ranges_and_statuses_are_400(client, ledger, path, message):
    response = client.get(f"/api/v1/get_all_invoice_ids/{path}")
    assert response.status_code == 400
    assert response.json() == {"status": "error", "errorCode": 400, "message": message}


def test_an_unknown_status_of_a_user_is_400(client, ledger):
    response = client.get(f"/api/v1/get_all_invoices_from_userid/{ledger['customer'].pk}/open")
    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "errorCode": 400,
        "message": "status must be one of paid, unpaid, all, overdue, not 'open'.",
    }


NOT_IDS = [
    "abc",
    "1.5",
    "-1",
    "0",
    "1e3",
    "0x10",
    "+1",
    "\u00b2",  # superscript two: isdigit(), yet not a number
    "\u0663",  # Arabic-Indic three
    str(2**63),  # past the largest id
    "9" * 40,
]


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize(
    "template,name",
    [
        ("/api/v1/get_invoice_details/{}", "invoiceId"),
        ("/api/v1/get_all_invoices_from_userid/{}", "userId"),
        ("/api/v1/get_all_invoices_from_userid/{}/paid", "userId"),
        ("/api/v1/get_invoice_receipt/{}/1", "userId"),
        ("/api/v1/get_invoice_receipt/1/{}", "invoiceId"),
    ],
)
def test_ids_are_whole_numbers_in_range(client, ledger, template, name, value):
    response = client.get(template.format(url(value)))
    assert (response.status_code, response["Content-Type"]) == (400, "application/json")
    message = f"{name} must be a whole number from 1 to {2**63 - 1}, not {value!r}."
    assert response.json() == {"status": "error", "errorCode": 400, "message": message}


@pytest.mark.parametrize("debug", [False, True])
def test_bad_path_values_are_json_with_debug_on_or_off(client, ledger, settings, debug):
    settings.DEBUG = debug
    for path in (
        "/api/v1/get_all_invoice_ids/2023-1-1",
        "/api/v1/get_invoice_details/x",
        "/api/v1/get_invoice_details/99999999",
    ):
        response = client.get(path)
        assert response["Content-Type"] == "application/json", path
        assert response.json()["status"] == "error"


def test_invoice_details(client, ledger):
    invoice = invoice_create(
        customer=ledger["customer"],
        currency="INR",
        number="10",
        description="Product1",
        lines=[
            LineInput(
                description="799 metro plus", unit_price=Decimal("799.00"), tax_rate=Decimal("14")
            )
        ],
        issue_date=datetime.date(2016, 9, 26),
        due_date=datetime.date(2016, 10, 10),
        period_from=datetime.date(2016, 9, 26),
        period_to=datetime.date(2016, 9, 30),
        issue=True,
    )
    Invoice.objects.filter(pk=invoice.pk).update(
        issued_at=datetime.datetime(2016, 9, 26, tzinfo=datetime.UTC)
    )
    payment_record(invoice_id=invoice.pk, amount=Decimal("100"), method="cash")
    response = client.get(f"/api/v1/get_invoice_details/{invoice.pk}")
    assert response.status_code == 200
    assert response.json() == [
        {
            "invoiceNumber": "10",
            "amount": "910.86",
            "balance": "810.86",
            "description": "Product1",
            "billGeneratedDate": "2016-09-26 00:00:00+00:00",
            "detailsOfInvoice": [
                "",
                {"amount": "799.00", "description": "799 metro plus"},
                {"amount": "111.86", "description": "Tax"},
            ],
            "name": "Jazz Broadband",
            "user_id": str(ledger["customer"].pk),
            "circuit_id": ledger["customer"].account_number,
            "billingPeriodFrom": "2016-09-26",
            "billingPeriodTo": "2016-09-30",
            "billingDueDate": "2016-10-10",
            "status": "partially_paid",
        }
    ]


@pytest.mark.parametrize(
    "invoice_id,status", [("abc", 400), ("1.5", 400), ("-1", 400), ("999999", 404)]
)
def test_invoice_details_of_bad_or_unknown_ids(client, ledger, invoice_id, status):
    response = client.get(f"/api/v1/get_invoice_details/{invoice_id}")
    assert response.status_code == status
    assert response.json()["errorCode"] == status


def test_drafts_are_not_on_the_isp_face(client, ledger):
    assert client.get(f"/api/v1/get_invoice_details/{ledger['draft'].pk}").status_code == 404


def test_invoices_of_a_user(client, ledger):
    customer = ledger["customer"].pk
    response = client.get(f"/api/v1/get_all_invoices_from_userid/{customer}")
    assert body_of(response) == [id_map(ledger["paid"], ledger["partial"])]
    response = client.get(f"/api/v1/get_all_invoices_from_userid/{customer}/unpaid/")
    assert body_of(response) == [id_map(ledger["partial"])]
    assert client.get(f"/api/v1/get_all_invoices_from_userid/{customer}/x").status_code == 400
    assert client.get("/api/v1/get_all_invoices_from_userid/999999").status_code == 404
    assert client.get("/api/v1/get_all_invoices_from_userid/abc").status_code == 400


def test_all_invoices_with_contacts_and_defaults(client, ledger):
    response = client.get("/api/v1/get_all_invoices/2023-01-01/2023-01-31")
    body = body_of(response)
    customer, paid = ledger["customer"], ledger["paid"]
    assert body == [
        [
            {
                "Contact": {
                    "user_id": str(customer.pk),
                    "person_title": customer.account_number,
                    "status": "active",
                    "group_name": "",
                    "first_name": "Ravi",
                    "last_name": "Customer",
                    "email": customer.email,
                    "phone_phone_number": "9999999999",
                    "street_addres1": "123 Anywhere St",
                    "street_addres2": "Pune, 411001",
                    "account_id": customer.account_number,
                    "create_datetime": customer.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    "user_created": customer.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    "gst_number": None,
                    "gst_start_date": None,
                    "deleted": "0",
                    "profile_name": "",
                },
                "Invoice": {
                    "id": str(paid.pk),
                    "public_number": paid.number,
                    "balance": "0.00",
                    "total": "100.00",
                    "status_id": "4",
                    "create_timestamp": paid.issued_at.strftime("%Y-%m-%d %H:%M:%S"),
                    "package_name": "Monthly service",
                },
            }
        ]
    ]
    everything = body_of(client.get("/api/v1/get_all_invoices"))
    assert [row["Invoice"]["status_id"] for row in everything[0]] == ["4", "3", "2"]
    assert client.get("/api/v1/get_all_invoices/2023-01-01/x").status_code == 400


def test_placeholder_email_for_a_customer_without_one(client):
    InvoiceFactory(customer=CustomerFactory(email=""))
    contact = body_of(client.get("/api/v1/get_all_invoices"))[0][0]["Contact"]
    assert contact["email"] == "customer@example.com"


def test_receipt_link_serves_the_receipt_of_the_payments(client, ledger, api_client):
    invoice = ledger["partial"]
    response = client.get(f"/api/v1/get_invoice_receipt/{invoice.customer_id}/{invoice.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["errorCode"]) == ("success", 200)
    assert body["message"].startswith("http://testserver/receipts/")
    pdf = api_client.get(body["message"].removeprefix("http://testserver"))  # no token
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    for expected in (
        f"Receipt {invoice.number}-1",
        f"Invoice number {invoice.number}",
        "Payment method Cash",
        "Invoice total (USD) 100.00",
        "This payment 40.00",
        "Remaining due (USD) 60.00",
        invoice.customer.name,
    ):
        assert expected in text, expected


def test_receipt_of_another_users_invoice_is_404(client, ledger):
    other = ledger["other"]
    response = client.get(f"/api/v1/get_invoice_receipt/{ledger['customer'].pk}/{other.pk}")
    assert response.status_code == 404
    assert response.json()["status"] == "error"
    assert client.get(f"/api/v1/get_invoice_receipt/x/{other.pk}").status_code == 400


def isp_paths(ledger) -> list[str]:
    """A request of each ISP route that answers 200 to the ISP's user."""
    customer, invoice = ledger["customer"].pk, ledger["paid"].pk
    return [
        "/api/v1/get_all_invoice_ids",
        "/api/v1/get_all_invoice_ids/2023-01-01",
        "/api/v1/get_all_invoice_ids/2023-01-01/2023-12-31",
        "/api/v1/get_all_invoice_ids/2023-01-01/2023-12-31/paid",
        f"/api/v1/get_invoice_details/{invoice}",
        f"/api/v1/get_all_invoices_from_userid/{customer}",
        f"/api/v1/get_all_invoices_from_userid/{customer}/paid",
        "/api/v1/get_all_invoices",
        "/api/v1/get_all_invoices/2023-01-01",
        "/api/v1/get_all_invoices/2023-01-01/2023-12-31",
        f"/api/v1/get_invoice_receipt/{customer}/{invoice}",
    ]


def every_permission_but(*excluded: str) -> list[str]:
    names = [
        f"{permission.content_type.app_label}.{permission.codename}"
        for permission in Permission.objects.select_related("content_type")
    ]
    return [name for name in names if name not in excluded]


def test_the_isp_face_needs_a_token(api_client, ledger):
    for path in isp_paths(ledger):
        response = api_client.get(path)
        assert response.status_code == 401, path
        assert response.json()["errorCode"] == 401


def test_every_model_permission_without_the_face_permission_is_403(ledger):
    """Least privilege: a user holding every model permission (and the grant
    to see every customer) but not ``api.use_isp`` reads nothing here; with
    it, the same user reads everything."""
    user = UserFactory(perms=every_permission_but("api.use_isp"))
    client = bearer_client(user)
    for path in isp_paths(ledger):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.json() == {
            "status": "error",
            "errorCode": 403,
            "message": "You do not have permission to use this API.",
        }
    with_the_face = bearer_client(UserFactory(perms=every_permission_but()))
    for path in isp_paths(ledger):
        assert with_the_face.get(path).status_code == 200, path


def test_the_face_permission_alone_reads_no_invoices(ledger):
    client = bearer_client(UserFactory(perms=["api.use_isp", VIEW_ALL_CUSTOMERS]))
    for path in isp_paths(ledger):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.json()["errorCode"] == 403


def test_a_linked_user_sees_only_its_customers_invoices(ledger):
    user = UserFactory(perms=ISP_USER)
    ledger["other"].customer.users.add(user)
    client = bearer_client(user)
    assert body_of(client.get("/api/v1/get_all_invoice_ids")) == id_map(ledger["other"])
    assert client.get(f"/api/v1/get_invoice_details/{ledger['paid'].pk}").status_code == 404
    customer = ledger["customer"].pk
    assert client.get(f"/api/v1/get_all_invoices_from_userid/{customer}").status_code == 404
    assert len(body_of(client.get("/api/v1/get_all_invoices"))[0]) == 1
    assert (
        client.get(f"/api/v1/get_invoice_receipt/{customer}/{ledger['paid'].pk}").status_code == 404
    )


@pytest.mark.parametrize("count", [1, 12])
def test_isp_lists_run_constant_queries(client, count, settings, django_assert_num_queries):
    settings.PERMISSIONS_LOCAL_SECONDS = 3600  # the token's deny-list answer, once
    customer = CustomerFactory()
    InvoiceFactory.create_batch(count, customer=customer)
    client.get("/api/v1/get_all_invoice_ids")
    # user, permissions, one batch, log row
    with django_assert_num_queries(4):
        assert len(body_of(client.get("/api/v1/get_all_invoice_ids"))) == count
    # user, permissions, one batch, its customers, log row
    with django_assert_num_queries(5):
        assert len(body_of(client.get("/api/v1/get_all_invoices"))[0]) == count
    # user, permissions, the customer, one batch, log row
    with django_assert_num_queries(5):
        path = f"/api/v1/get_all_invoices_from_userid/{customer.pk}"
        assert len(body_of(client.get(path))[0]) == count


def test_a_voided_invoice_leaves_the_lists_and_keeps_its_details(client, ledger):
    customer = ledger["customer"]
    voided = InvoiceFactory(customer=customer, issue_date=datetime.date(2023, 2, 7))
    invoice_void(invoice=voided)
    assert body_of(client.get("/api/v1/get_all_invoice_ids")) == id_map(
        ledger["paid"], ledger["partial"], ledger["other"]
    )
    listed = body_of(client.get(f"/api/v1/get_all_invoices_from_userid/{customer.pk}"))
    assert str(voided.pk) not in json.dumps(listed)
    every = body_of(client.get("/api/v1/get_all_invoices"))
    assert voided.number not in json.dumps(every)
    details = client.get(f"/api/v1/get_invoice_details/{voided.pk}")
    assert details.status_code == 200
    assert body_of(details)[0]["status"] == "void"
