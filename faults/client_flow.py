"""A client's round through the API faces over plain HTTP, as a deployment
answers it: what a smoke test of a running service asks."""

import json
import urllib.error
import urllib.request

# The payment record of the demo data (payments/demo.py), as the gateway's document shows it.
SAMPLE_RECORD = {"orderID": 4499494, "billingNumber": 333333}


def _call(base_url: str, path: str, payload=None, token: str = "", method: str = "") -> tuple:
    """(status, content type, body bytes) of one request."""
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(base_url + path, data=data, method=method or None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def _json(base_url: str, path: str, payload=None, token: str = "", expect=(200,)):
    status, _, body = _call(base_url, path, payload, token)
    assert status in expect, (path, status, body[:500])
    return json.loads(body)


def run_client_flow(base_url: str, username: str, password: str) -> dict:
    """Log in, check and pay the demo's sample record, list every record, make a
    customer and an invoice, generate a report and download it as CSV; every
    answer checked. Returns the ids it made."""
    login = _json(base_url, "/login", {"username": username, "password": password})
    token = login["access_token"]

    checked = _json(base_url, "/checkPaymentStatus", SAMPLE_RECORD, token)
    assert (checked["success"], checked["paymentStatus"]) == ("true", "unpaid"), checked
    paid = _json(base_url, "/updatePaymentStatus", SAMPLE_RECORD, token)
    assert paid["paymentStatus"] == "paid", paid
    records = _json(base_url, "/getAllBilling", token=token)
    sample = [r for r in records if str(r["billingNumber"]) == str(SAMPLE_RECORD["billingNumber"])]
    assert [r["paymentStatus"] for r in sample] == ["paid"], sample

    customer = _json(
        base_url, "/api/v1/customers/", {"name": "Flow Customer"}, token, expect=(201,)
    )["id"]
    invoice = _json(
        base_url,
        "/api/v1/invoices/",
        {
            "customer_id": customer,
            "amount": "120.00",
            "date": "2026-01-05",
            "due_date": "2026-02-05",
        },
        token,
        expect=(201,),
    )
    # Issued at once; overdue once its due date is past.
    assert invoice["status"] in ("open", "overdue") and invoice["balance"] == 120, invoice

    report = _json(
        base_url,
        "/api/v2/reports/generate/",
        {
            "customer_id": customer,
            "start_date": "2026-01-01",
            "end_date": "2026-01-31",
            "output_format": "json",
        },
        token,
        expect=(200, 201),
    )["id"]
    status, content_type, body = _call(
        base_url, f"/api/v2/reports/{report}/download/?format=csv", token=token
    )
    assert (status, content_type.split(";")[0]) == (200, "text/csv"), (status, body[:500])
    assert body.strip(), "an empty CSV"
    return {"customer": customer, "invoice": invoice["id"], "report": report}
