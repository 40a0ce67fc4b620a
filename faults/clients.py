"""What the fault tests' clients share."""

import json
import urllib.request


def open_invoice(base: str, token: str) -> int:
    """A large open invoice that the load pays a cent at a time."""

    def call(path, payload):
        request = urllib.request.Request(base + path, data=json.dumps(payload).encode())
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    invoice = call(
        "/api/v1/invoices/",
        {"customer_id": 1, "amount": "100000.00", "date": "2026-01-01", "due_date": "2026-02-01"},
    )
    if invoice["status"] == "draft":
        call(f"/api/v1/invoices/{invoice['id']}/issue", {})
    return invoice["id"]
