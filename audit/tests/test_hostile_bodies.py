"""Bodies built to slip past the request log or into it: every one is logged, and
no secret is stored, whatever its encoding, body style or escapes."""

import json

import pytest

from audit.masking import MASK
from audit.models import RequestLog
from invoices.tests.factories import InvoiceFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("audit.tests.urls")]


def only_log():
    assert RequestLog.objects.count() == 1
    return RequestLog.objects.get()


LONE_SURROGATE = '{"token": "x", "note": "\\ud800"}'


@pytest.mark.parametrize(
    "path,body",
    [
        ("/test/echo", LONE_SURROGATE),
        ("/login", '{"username": "\\udfff", "password": "x"}'),
        ("/checkPaymentStatus", '{"orderID": "\\ud800", "billingNumber": "1"}'),
        ("/api/payments/callback/any", '{"bill_no": "\\ud83d", "signature": "x"}'),
        ("/api/v1/invoices/", '{"customer_id": 1, "description": "\\udc00"}'),
    ],
)
def test_a_lone_surrogate_is_a_400_and_the_request_is_logged(staff_client, path, body):
    response = staff_client.post(path, body, content_type="application/json")
    assert response.status_code == 400, response.content
    log = only_log()
    assert (log.endpoint, log.status_code) == (path, 400)
    assert "surrogate" in response.content.decode()
    assert (
        "x" not in log.request_body.replace("\\ud", "").split("note")[0].replace(MASK, "")[:0]
    )  # the row exists; its body is stored in valid text
    log.request_body.encode("utf-8")


@pytest.mark.parametrize(
    "raw,content_type",
    [
        (b'{"a": "\xff\xfe broken"}', "application/json"),
        (b"\x00\x01\x02binary\xff", "text/plain"),
        (b'{"password": "hunter2", "x": "\xc3"}', "application/json"),
    ],
)
def test_invalid_text_is_a_400_and_logged_without_its_secrets(client, raw, content_type):
    response = client.post("/test/echo", raw, content_type=content_type)
    assert response.status_code in (400, 415), response.content
    log = only_log()
    assert "hunter2" not in log.request_body
    log.request_body.encode("utf-8")


@pytest.mark.parametrize("charset", ["utf-7", "unicode_escape", "hex", "rot13"])
def test_a_charset_that_can_spell_what_no_database_stores_is_a_400(staff_client, charset):
    body = b'{"customer_id": 1, "description": "+2AA-", "x": "\\ud800"}'
    response = staff_client.generic(
        "POST", "/api/v1/invoices/", body, content_type=f"application/json; charset={charset}"
    )
    assert response.status_code == 400, response.content
    assert "charset" in response.json()["detail"]
    assert only_log().status_code == 400


def test_a_card_number_hidden_in_json_escapes_is_refused_and_masked(staff_client):
    body = '{"customer_id": 1, "amount": "1.00", "description": "4242\\u002042424242\\u00204242"}'
    response = staff_client.post("/api/v1/invoices/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "card number" in response.content.decode()
    stored = only_log().request_body
    assert "4242" not in stored and MASK in stored


@pytest.mark.parametrize("charset", ["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252"])
def test_a_body_in_any_declared_charset_is_masked(api_client, charset):
    UserFactory(username="admin", password="S3cretPass!")
    body = json.dumps({"username": "admin", "password": "S3cretPass!"}).encode(charset)
    response = api_client.generic(
        "POST", "/login", body, content_type=f"application/json; charset={charset}"
    )
    assert response.status_code == 200, response.content
    log = only_log()
    assert "S3cretPass" not in log.request_body
    assert "admin" in log.request_body


@pytest.mark.parametrize(
    "body",
    [
        # Document 000's own body style (Postman "raw" text, not JSON).
        '"username" "admin"\n"password" "S3cretPass!"',
        "username admin password S3cretPass!",
        "login:admin\npassword\tS3cretPass!",
        "{'username': 'admin', 'password' => 'S3cretPass!'}",
        "pa%73sword S3cretPass!",
    ],
)
def test_anything_after_a_secret_name_in_plain_text_is_masked(api_client, body):
    api_client.generic("POST", "/login", body, content_type="text/plain")
    log = only_log()
    assert "S3cretPass" not in log.request_body
    assert log.request_body.startswith(body[:2])


@pytest.mark.parametrize(
    "number",
    ["4242 4242 4242 4242", "4242.4242.4242.4242", "4242-4242-4242-4242", "4242424242424242"],
)
def test_a_card_number_in_a_free_text_field_is_refused(staff_client, number):
    invoice = InvoiceFactory()
    response = staff_client.post(
        f"/api/v1/invoices/{invoice.pk}/payments",
        {"amount": "1.00", "method": "card", "reference": number},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "card number" in response.content.decode()
    assert not invoice.payments.exists()
    assert number not in only_log().request_body
    assert number.replace(" ", "") not in only_log().request_body


def test_identifiers_that_happen_to_pass_luhn_are_not_card_numbers(gateway_client):
    # A long numeric order reference is an identifier, not a card number.
    response = gateway_client.post(
        "/checkPaymentStatus", {"orderID": "4242424242424242", "billingNumber": "1"}, format="json"
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "reference",
    [
        # A hex digest whose digits hold a Luhn-valid run of 16 (one in a hundred do).
        "9f4242424242424242ab" + "0c" * 22,
        "tok_4242424242424242",
        "4242424242424242x",
    ],
)
def test_digits_inside_a_word_are_not_a_card_number(staff_client, reference):
    invoice = InvoiceFactory()
    response = staff_client.post(
        f"/api/v1/invoices/{invoice.pk}/payments",
        {"amount": "1.00", "method": "card", "reference": reference},
        format="json",
    )
    assert response.status_code == 201, response.content
    # The request log still masks the digits: masking errs on the safe side.
    assert "4242424242424242" not in only_log().request_body


def test_html_bodies_are_summarised(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    log = only_log()
    assert log.response_body == f"<html text/html; charset=utf-8, {len(response.content)} bytes>"
    assert "csrf" not in log.response_body.lower()


def test_the_signature_of_a_signed_url_is_masked_in_endpoint_and_query(client):
    from invoices.receipts import receipt_token

    invoice = InvoiceFactory()
    token = receipt_token(invoice)
    signature = token.rsplit(":", 1)[1]
    client.get(f"/receipts/{token}.pdf?signature=abc123sig&x=1")
    client.post("/test/echo", {"message": f"http://x/receipts/{token}.pdf"}, format="json")
    log = RequestLog.objects.get(endpoint__startswith="/receipts/")
    assert signature not in log.endpoint
    assert log.endpoint.endswith(f":{MASK}.pdf")
    assert "abc123sig" not in log.query_string
    echoed = RequestLog.objects.get(endpoint="/test/echo")
    assert signature not in echoed.request_body + echoed.response_body
