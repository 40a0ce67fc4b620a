"""The schema's words and examples for the reports face (document 003)."""

from billing_site.api.schema_docs import Operation

TAG = "reports"

LIST = (
    "A bare JSON array of every matching row the caller may see, streamed; "
    "`?page`/`?page_size` ask for one page of it instead. "
)
NOT_FOUND = {"detail": "Not found."}
SERVICE = {"id": 1, "name": "Picking", "created_at": "2026-12-06T14:22:59.190629Z"}
SERVICE_COSTS = [
    {"service_id": 1, "service_name": "Picking", "amount": 1.7},
    {"service_id": 2, "service_name": "Packing", "amount": 0.8},
    {"service_id": 3, "service_name": "Shipping", "amount": 13.8},
]
ORDER_INPUT = {
    "customer_id": 3,
    "reference_number": "ACME-202611-001",
    "order_date": "2026-11-02",
    "service_costs": [
        {"service_id": 1, "amount": "1.70"},
        {"service_id": 2, "amount": "0.80"},
        {"service_id": 3, "amount": "13.80"},
    ],
}
ORDER = {
    "id": 1,
    "customer_id": 3,
    "reference_number": "ACME-202611-001",
    "order_date": "2026-11-02",
    "total_amount": 16.3,
    "service_costs": SERVICE_COSTS,
    "created_at": "2026-12-06T14:22:59.192363Z",
}
REPORT = {
    "id": 1,
    "customer_id": 3,
    "customer_name": "Acme Fulfilment Ltd",
    "start_date": "2026-11-01",
    "end_date": "2026-11-30",
    "created_at": "2026-12-06T14:22:59.195698Z",
    "total_amount": 652.0,
    "order_count": 40,
    "currency": "USD",
    "invoice": None,
}
REPORT_DETAIL = {
    **REPORT,
    "service_totals": {
        "1": {"service_name": "Picking", "amount": 68.0},
        "2": {"service_name": "Packing", "amount": 32.0},
        "3": {"service_name": "Shipping", "amount": 552.0},
    },
    "orders": [
        {
            "order_id": 1,
            "reference_number": "ACME-202611-001",
            "order_date": "2026-11-02",
            "total_amount": 16.3,
            "service_costs": SERVICE_COSTS,
        }
    ],
}
BAD_RANGE = {"error": "Start date must be before end date"}
BILL_DESCRIPTION = """\
Turns the billing report into an invoice for its customer, once: one line per
service of the report (quantity 1 at the service's total, exactly as the report
computed it, untaxed), in the report's currency, for the report's period
(`period_from`/`period_to`), its description naming the report. The invoice is
issued (open, ready to send) unless the body says `"issue": false` (a draft,
issued later with `POST /api/v1/invoices/{id}/issue`); it is due `due_date`, or
`REPORT_INVOICE_DUE_DAYS` (30) days from today. The body may be empty.

The first call answers `201` with the new invoice; every later one (whatever its
body) answers `200` with the same invoice as it is now, paid, voided or not:
a report is billed once. Concurrent calls make one invoice. The report shows its
invoice in its `invoice` link. The answer is the invoice as the invoices face
(`/api/v1/invoices/{id}`) shows it, with its `url` there and the `report_id`.

A report with nothing to bill (no service cost above zero) is a `409`; another
customer's report, or one that does not exist, a `404`. Needs the reports
face's permission, `reports.view_billingreport` and `invoices.add_invoice`."""


def service_line(line_id: int, name: str, amount: float) -> dict:
    """A line of a report's invoice: one service, quantity 1 at its total, untaxed."""
    return {
        "id": line_id,
        "description": name,
        "quantity": 1.0,
        "price": amount,
        "tax_rate": 0.0,
        "subtotal": amount,
        "tax": 0.0,
        "total": amount,
    }


REPORT_INVOICE = {
    "url": "/api/v1/invoices/11",
    "report_id": 2,
    "id": 11,
    "number": "INV-000003",
    "order_id": "INV-000003",
    "customer_id": 3,
    "date": "2026-12-06",
    "due_date": "2027-01-05",
    "period_from": "2026-11-01",
    "period_to": "2026-11-15",
    "currency": "USD",
    "description": "Billing report 2: 2026-11-01 to 2026-11-15",
    "status": "open",
    "subtotal": 407.5,
    "tax": 0.0,
    "total": 407.5,
    "amount": 407.5,
    "amount_paid": 0.0,
    "amount_refunded": 0.0,
    "balance": 407.5,
    "line_items": [
        service_line(13, "Picking", 42.5),
        service_line(14, "Packing", 20.0),
        service_line(15, "Shipping", 345.0),
    ],
    "customer": {
        "id": 3,
        "name": "Acme Fulfilment Ltd",
        "email": "billing@acme.example",
        "account_number": "10002",
        "tax_number": "GB123456789",
        "address": {
            "street": "1 Dock Road",
            "city": "London",
            "state": "",
            "zip": "E1 1AA",
            "country": "GB",
        },
    },
    "payment": None,
    "payments": [],
    "amount_credited": 0.0,
    "credit_notes": [],
    "created_at": "2026-12-06T14:22:59.201770Z",
    "updated_at": "2026-12-06T14:22:59.203614Z",
    "issued_at": "2026-12-06T14:22:59.203577Z",
    "paid_at": None,
    "voided_at": None,
}

OPERATIONS = {
    "GET /api/v2/services/": Operation(
        "listServices",
        "List services",
        LIST + "The services orders are charged for (picking, packing, shipping...).",
        responses={200: [SERVICE]},
    ),
    "POST /api/v2/services/": Operation(
        "createService",
        "Create a service",
        'A service orders can be charged for; its name is unique (400 {"error"} otherwise).',
        request={"name": "Picking"},
        responses={201: SERVICE},
    ),
    "GET /api/v2/services/{id}/": Operation(
        "getService", "Get a service", "The service.", responses={200: SERVICE, 404: NOT_FOUND}
    ),
    "PUT /api/v2/services/{id}/": Operation(
        "updateService",
        "Rename a service",
        "Replaces the service's name.",
        request={"name": "Pick and pack"},
        responses={200: {**SERVICE, "name": "Pick and pack"}},
    ),
    "PATCH /api/v2/services/{id}/": Operation(
        "partialUpdateService",
        "Change a service",
        "Changes the fields sent only.",
        request={"name": "Pick and pack"},
        responses={200: {**SERVICE, "name": "Pick and pack"}},
    ),
    "DELETE /api/v2/services/{id}/": Operation(
        "deleteService",
        "Delete a service",
        "Deletes a service no order is charged for; one in use: 409.",
        responses={404: NOT_FOUND},
    ),
    "GET /api/v2/orders/": Operation(
        "listOrders",
        "List orders",
        LIST + "Filter by `customer_id`, `reference_number`, `date_from`/`date_to`; order "
        "by `ordering`.",
        responses={200: [ORDER]},
    ),
    "POST /api/v2/orders/": Operation(
        "createOrder",
        "Create an order, or several",
        "Creates one order with its service costs (answered as one), or a JSON array of "
        "orders (answered as an array): all of them, or none when one is invalid "
        '(400 {"error", "errors"}).',
        request=ORDER_INPUT,
        responses={
            201: ORDER,
            400: {
                "error": "reference_number: This field is required.",
                "errors": {"reference_number": ["This field is required."]},
            },
        },
    ),
    "GET /api/v2/orders/{id}/": Operation(
        "getOrder",
        "Get an order",
        "The order with its service costs.",
        responses={200: ORDER, 404: NOT_FOUND},
    ),
    "DELETE /api/v2/orders/{id}/": Operation(
        "deleteOrder",
        "Delete an order",
        "Deletes the order.",
        responses={404: NOT_FOUND},
    ),
    "GET /api/v2/reports/": Operation(
        "listReports",
        "List billing reports",
        LIST + "Filter by `customer_id`, `start_date`, `end_date`, `created_after`/"
        "`created_before`, `billed`; order by `order_by`. Each report links its invoice "
        "once billed.",
        responses={200: [REPORT]},
    ),
    "GET /api/v2/reports/{id}/": Operation(
        "getReport",
        "Get a billing report",
        "The report with its totals per service and its orders.",
        responses={200: REPORT_DETAIL, 404: NOT_FOUND},
    ),
    "GET /api/v2/reports/{id}/download/": Operation(
        "downloadReport",
        "Download a billing report as CSV, JSON or PDF",
        "The report as a file (`Content-Disposition: attachment`): `?format=csv` (the "
        "default, streamed; `columns` and `bom` shape it), `json` or `pdf`. Another "
        'format: 400 {"error": "Invalid format: ..."}.',
        responses={200: REPORT_DETAIL, 400: {"error": "Invalid format: xml"}},
    ),
    "POST /api/v2/reports/generate/": Operation(
        "generateReport",
        "Generate a billing report",
        "Generates the report of a customer's orders from `start_date` to `end_date` "
        "(inclusive) and answers it in `output_format`: json (the default), csv or pdf. "
        'A start after the end: 400 {"error": "Start date must be before end date"}. With '
        "an `Idempotency-Key` a retry gets the first answer again.",
        request={
            "customer_id": 3,
            "start_date": "2026-11-01",
            "end_date": "2026-11-30",
            "output_format": "json",
        },
        responses={201: REPORT_DETAIL, 400: BAD_RANGE},
    ),
    "POST /api/v2/reports/{id}/invoice/": Operation(
        "invoiceReport",
        "Bill a report as an invoice",
        BILL_DESCRIPTION,
        examples={
            "issued at once (the default)": {},
            "a draft due on a given day": {"issue": False, "due_date": "2027-01-15"},
        },
        responses={
            201: REPORT_INVOICE,
            200: REPORT_INVOICE,
            409: {
                "detail": "Report 7 has nothing to bill: its period (2026-11-01 to 2026-11-30) "
                "has no service costs above zero."
            },
        },
    ),
    "GET /api/v2/reports/customer-summary/": Operation(
        "getCustomerSummary",
        "Summarise reports per customer",
        "A row per customer (and currency): how many reports, their total, the first and "
        "the latest. " + LIST,
        responses={
            200: [
                {
                    "customer_id": 3,
                    "customer_name": "Acme Fulfilment Ltd",
                    "report_count": 2,
                    "total_amount": 1059.5,
                    "currency": "USD",
                    "first_report": "2026-12-06T14:22:59.195698Z",
                    "latest_report": "2026-12-06T14:22:59.197625Z",
                }
            ]
        },
    ),
}
