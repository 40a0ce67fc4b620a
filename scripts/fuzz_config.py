"""Print a schemathesis config whose dictionaries hold identifiers that exist in
the database (collections, bills, invoices, receipt links), so generated requests
reach the views behind the lookups as well as their 404s."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billing_site.settings.local")

import django

django.setup()

from billing_site.documents.links import sign  # noqa: E402
from bills.models import Bill, Collection  # noqa: E402
from bills.pages import DOCUMENT_SALT  # noqa: E402
from invoices.models import Customer, Invoice  # noqa: E402
from invoices.receipts import receipt_token  # noqa: E402

invoices = list(Invoice.objects.exclude(status="draft").order_by("pk"))
values = {
    "collection": list(Collection.objects.values_list("code", flat=True)),
    "bill": list(Bill.objects.values_list("bill_no", flat=True)),
    "provider": ["sandbox"],
    "order": [invoice.order_id for invoice in invoices if invoice.order_id],
    "number": [invoice.number for invoice in invoices],
    "customer": list(Customer.objects.values_list("pk", flat=True)),
    "invoice": [invoice.pk for invoice in invoices],
    # Signed links: the invoices' documents and the bills' (one path parameter, token).
    "receipt": [receipt_token(invoice) for invoice in invoices]
    + [sign(pk, DOCUMENT_SALT) for pk in Bill.objects.values_list("pk", flat=True)],
}
bindings = {
    "path.code": "collection",
    "path.bill_no": "bill",
    "body.bill_no": "bill",
    "path.provider": "provider",
    "body.orderID": "order",
    "body.orderId": "order",
    "body.billingNumber": "number",
    "path.user_id": "customer",
    "path.invoice_id": "invoice",
    "path.token": "receipt",
}

print("[dictionaries]")
for name, entries in values.items():
    if entries:
        print(f"{name} = {{ values = {json.dumps(entries)} }}")
print("\n[parameters]")
for key, name in bindings.items():
    if values[name]:
        print(f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}')
