"""The schema's words and examples for the invoices face (document 001): invoices
and their payments and refunds, customers, credit notes, usage and webhook
endpoints, all under ``/api/v1/``; and the signed links to invoice documents."""

from billing_site.api.schema_docs import Operation

TAG = "invoices"

LIST = (
    "A bare JSON array of every matching row the caller may see, streamed; "
    "`?page`/`?page_size` ask for one page of it instead. "
)
NOT_FOUND = {"detail": "Not found."}
ADDRESS = {
    "street": "123 Main St",
    "city": "Anytown",
    "state": "CA",
    "zip": "12345",
    "country": "US",
}
CUSTOMER_INPUT = {
    "name": "John Doe",
    "first_name": "John",
    "last_name": "Doe",
    "email": "john.doe@example.com",
    "phone": "+1 555 0100",
    "address": ADDRESS,
    "account_number": "10001",
}
CUSTOMER = {
    "id": 2,
    **CUSTOMER_INPUT,
    "tax_number": "",
    "status": "active",
    "email_documents": True,
    "created_at": "2026-12-06T14:22:59.113214Z",
    "updated_at": "2026-12-06T14:22:59.113226Z",
}
LINE_INPUT = {"description": "Product 1", "quantity": "2", "price": "50.00", "tax_rate": "10"}
INVOICE_INPUT = {
    "customer_id": 2,
    "date": "2026-12-06",
    "due_date": "2027-01-05",
    "currency": "USD",
    "order_id": "ORD-1001",
    "description": "Product 1",
    "line_items": [LINE_INPUT],
}
INVOICE = {
    "id": 3,
    "number": "INV-1001",
    "order_id": "ORD-1001",
    "customer_id": 2,
    "date": "2026-12-06",
    "due_date": "2027-01-05",
    "period_from": "2026-12-01",
    "period_to": "2026-12-06",
    "currency": "USD",
    "description": "Product 1",
    "status": "open",
    "subtotal": 100.0,
    "tax": 10.0,
    "total": 110.0,
    "amount": 110.0,
    "amount_paid": 0.0,
    "amount_refunded": 0.0,
    "balance": 110.0,
    "line_items": [
        {
            "id": 3,
            "description": "Product 1",
            "quantity": 2.0,
            "price": 50.0,
            "tax_rate": 10.0,
            "subtotal": 100.0,
            "tax": 10.0,
            "total": 110.0,
        }
    ],
    "customer": {
        "id": 2,
        "name": "John Doe",
        "email": "john.doe@example.com",
        "account_number": "10001",
        "tax_number": "",
        "address": ADDRESS,
    },
    "payment": None,
    "payments": [],
    "amount_credited": 0.0,
    "credit_notes": [],
    "created_at": "2026-12-06T14:22:59.129913Z",
    "updated_at": "2026-12-06T14:22:59.131617Z",
    "issued_at": "2026-12-06T14:22:59.131580Z",
    "paid_at": None,
    "voided_at": None,
}
DRAFT = {**INVOICE, "status": "draft", "issued_at": None}
VOID = {**INVOICE, "status": "void", "voided_at": "2026-12-07T09:00:00Z"}
REFUND = {
    "id": 1,
    "payment_id": 2,
    "date": "2026-12-07T10:00:00Z",
    "amount": 5.0,
    "currency": "USD",
    "reason": "Hosting downtime",
    "provider": "",
    "reference": None,
    "provider_status": "",
}
PAYMENT = {
    "id": 2,
    "date": "2026-12-06T14:22:59.136979Z",
    "amount": 20.0,
    "amount_refunded": 0.0,
    "method": "bank_transfer",
    "provider": "",
    "reference": "TRX-20261206-0001",
    "card": None,
    "refunds": [],
}
CREDIT_NOTE = {
    "id": 1,
    "number": "CN-000001",
    "invoice_id": 3,
    "invoice_number": "INV-1001",
    "customer_id": 2,
    "date": "2026-12-07T10:00:00Z",
    "mode": "reduce_invoice",
    "reason": "Damaged item",
    "currency": "USD",
    "subtotal": 50.0,
    "tax": 5.0,
    "total": 55.0,
    "line_items": [
        {
            "id": 1,
            "description": "Product 1, damaged",
            "quantity": 1.0,
            "unit_price": 50.0,
            "tax_rate": 10.0,
            "subtotal": 50.0,
            "tax": 5.0,
            "total": 55.0,
        }
    ],
    "pdf_url": "/api/v1/credit-notes/1/pdf",
}
USAGE_RECORD = {
    "customer_id": 3,
    "resource_id": "i-00000000000000000",
    "resource_name": "web-server-1",
    "service": "EC2",
    "region": "us-west-1",
    "start_time": "2026-11-01T00:00:00Z",
    "end_time": "2026-11-01T01:00:00Z",
    "duration": 3600,
    "cost": 0.5,
}
ENDPOINT_INPUT = {
    "url": "https://erp.example.com/hooks/billing",
    "events": ["invoice.paid", "payment.refunded"],
    "description": "ERP ledger sync",
}
ENDPOINT = {
    "id": 1,
    **ENDPOINT_INPUT,
    "customer_id": None,
    "is_active": True,
    "disabled_at": None,
    "disabled_reason": "",
    "failing_since": None,
    "created_at": "2026-12-06T14:30:00Z",
    "updated_at": "2026-12-06T14:30:00Z",
}
SECRET = "whsec_MfKQ9r8GKYqTbNq3lH4bd5W9K4mO2Y8r"  # noqa: S105 (an example)
DELIVERY = {
    "id": 7,
    "event_id": "evt_01JEXAMPLE0000000000000000",
    "event_type": "invoice.paid",
    "status": "succeeded",
    "attempt_count": 1,
    "next_attempt_at": None,
    "last_status_code": 200,
    "last_error": "",
    "created_at": "2026-12-06T15:00:00Z",
    "updated_at": "2026-12-06T15:00:01Z",
    "attempts": [
        {
            "id": 9,
            "at": "2026-12-06T15:00:01Z",
            "duration_ms": 184,
            "status_code": 200,
            "error": "",
            "response_excerpt": "ok",
        }
    ],
}
CHANGE = (
    "A draft changes freely; an open invoice without payments may change its lines, "
    "amount, description and due date (the change is recorded); one with payments, "
    "paid or void: 409."
)

OPERATIONS = {
    "GET /api/v1/invoices/": Operation(
        "listInvoices",
        "List invoices",
        LIST + "Filter by `status`, `customer_id`, `currency`, `date_from`/`date_to`, "
        "`due_after`/`due_before`; order by `ordering`. Void invoices are left out unless "
        "`?status=void`.",
        responses={200: [INVOICE]},
    ),
    "POST /api/v1/invoices/": Operation(
        "createInvoice",
        "Create an invoice",
        "Creates the invoice and issues it (open, numbered) unless sent with "
        '`"status": "draft"`. Its total is its `line_items`\' (each `quantity` x `price` '
        "plus `tax_rate` percent), or `amount` for a one-line invoice. An unknown customer "
        "or a bad field: 400 naming the field. With an `Idempotency-Key` a retry gets the "
        "first answer again.",
        examples={"line items": INVOICE_INPUT, "draft": {**INVOICE_INPUT, "status": "draft"}},
        responses={
            201: INVOICE,
            400: {"line_items": {"0": {"price": ["This field is required."]}}},
        },
    ),
    "GET /api/v1/invoices/{id}/": Operation(
        "getInvoice",
        "Get an invoice",
        "The invoice with its lines, customer, payments and credit notes.",
        responses={200: INVOICE, 404: NOT_FOUND},
    ),
    "PUT /api/v1/invoices/{id}/": Operation(
        "updateInvoice",
        "Replace an invoice",
        "Replaces the invoice's fields. " + CHANGE,
        request=INVOICE_INPUT,
        responses={200: INVOICE},
    ),
    "PATCH /api/v1/invoices/{id}/": Operation(
        "partialUpdateInvoice",
        "Change some fields of an invoice",
        "Changes the fields sent only. " + CHANGE,
        request={"due_date": "2027-01-31", "description": "Product 1 (revised terms)"},
        responses={200: {**INVOICE, "due_date": "2027-01-31"}},
    ),
    "DELETE /api/v1/invoices/{id}/": Operation(
        "deleteInvoice",
        "Void an invoice",
        "Voids a draft or an open invoice without payments or credit: its number stays taken "
        "and it leaves the list unless `?status=void`. One with payments or credit, or "
        "paid or void: 409.",
        responses={409: {"detail": "Invoice INV-1001 has payments of 20.00 and cannot be voided."}},
    ),
    "POST /api/v1/invoices/{id}/issue/": Operation(
        "issueInvoice",
        "Issue a draft invoice",
        "Opens a draft: it gets its number and can be paid. An invoice that is not a draft: 409.",
        responses={
            200: INVOICE,
            409: {"detail": "Only a draft invoice can be issued; invoice INV-1001 is open."},
        },
    ),
    "POST /api/v1/invoices/{id}/void/": Operation(
        "voidInvoice",
        "Void an invoice",
        "As DELETE, answering the void invoice: a draft or an open invoice without "
        "payments becomes void; one with payments, or already void: 409.",
        responses={200: VOID},
    ),
    "GET /api/v1/invoices/{invoice_id}/payments/": Operation(
        "listInvoicePayments",
        "List an invoice's payments",
        "The invoice's payments, oldest first, each with its refunds.",
        responses={200: [PAYMENT]},
    ),
    "POST /api/v1/invoices/{invoice_id}/payments/": Operation(
        "createInvoicePayment",
        "Record a payment of an invoice",
        "Records a full or partial payment of an open invoice. More than its balance: 400; "
        "an invoice that is not open, or a provider `reference` already recorded: 409. "
        "Card payments carry only the brand, last four digits and expiry: a card number "
        "anywhere is refused (400).",
        examples={
            "bank transfer": {
                "amount": "20.00",
                "method": "bank_transfer",
                "reference": "TRX-20261206-0001",
            },
            "card": {
                "amount": "110.00",
                "method": "card",
                "card": {"type": "Visa", "last4": "4242", "exp_month": 12, "exp_year": 2028},
            },
        },
        responses={
            201: {
                **PAYMENT,
                "invoice": {
                    "id": 3,
                    "number": "INV-1001",
                    "status": "partially_paid",
                    "total": 110.0,
                    "amount_paid": 20.0,
                    "balance": 90.0,
                },
            }
        },
    ),
    "GET /api/v1/payments/{payment_id}/refunds/": Operation(
        "listRefunds",
        "List a payment's refunds",
        "The refunds of the payment, oldest first.",
        responses={200: [REFUND]},
    ),
    "POST /api/v1/payments/{payment_id}/refunds/": Operation(
        "createRefund",
        "Refund a payment in full or in part",
        "Gives back part or all of a payment: at most what is left of it (`refundable`), "
        "else 400. Needs an `Idempotency-Key` header (400 without one): a retry with the "
        "same key and body gets the first answer again (`Idempotent-Replayed: true`); the "
        "key with another body is a 422. A payment made through the sandbox provider (the "
        "bill pages) is refunded through the sandbox's refund call (`provider`, `reference`, "
        "`provider_status` are its answer); any other payment's refund is recorded as money "
        "given back outside the service. The invoice's `amount_paid` falls by the refund and "
        "its `balance` rises; a paid invoice is open again, its status `refunded` (nothing "
        "of what was paid is kept) or `partially_refunded`. An invoice neither open nor paid "
        "is a 409.",
        request={"amount": "5.00", "reason": "Hosting downtime"},
        responses={
            201: {
                **REFUND,
                "payment": {"id": 2, "amount": 20.0, "amount_refunded": 5.0, "refundable": 15.0},
                "invoice": {
                    "id": 3,
                    "number": "INV-1001",
                    "status": "partially_refunded",
                    "total": 110.0,
                    "amount_paid": 15.0,
                    "balance": 95.0,
                },
            }
        },
    ),
    "GET /api/v1/customers/": Operation(
        "listCustomers",
        "List customers",
        LIST + "Filter by `name`, `email`, `account_number`, `status`; order by `ordering`.",
        responses={200: [CUSTOMER]},
    ),
    "POST /api/v1/customers/": Operation(
        "createCustomer",
        "Create a customer",
        "Creates a customer; `name` is required, the rest optional. A bad field: 400 naming it.",
        request=CUSTOMER_INPUT,
        responses={
            201: CUSTOMER,
            400: {"name": ["This field is required."], "email": ["Enter a valid email address."]},
        },
    ),
    "GET /api/v1/customers/{id}/": Operation(
        "getCustomer",
        "Get a customer",
        "The customer, with the credit it holds in each currency (`credit_balances`, from "
        "credit notes in customer_credit mode).",
        responses={200: {**CUSTOMER, "credit_balances": {"USD": 55.0}}, 404: NOT_FOUND},
    ),
    "PUT /api/v1/customers/{id}/": Operation(
        "updateCustomer",
        "Replace a customer",
        "Replaces the customer's fields (`name` required).",
        request=CUSTOMER_INPUT,
        responses={200: CUSTOMER},
    ),
    "PATCH /api/v1/customers/{id}/": Operation(
        "partialUpdateCustomer",
        "Change some fields of a customer",
        "Changes the fields sent only; `status: inactive` retires a customer that has "
        "invoices (which cannot be deleted).",
        request={"status": "inactive"},
        responses={200: {**CUSTOMER, "status": "inactive"}},
    ),
    "DELETE /api/v1/customers/{id}/": Operation(
        "deleteCustomer",
        "Delete a customer",
        "Deletes a customer without invoices; one with invoices: 409 (set it inactive).",
        responses={409: {"detail": "A customer with invoices cannot be deleted; set it inactive."}},
    ),
    "GET /api/v1/credit-notes/": Operation(
        "listCreditNotes",
        "List credit notes",
        LIST + "Newest first. Filter by `invoice_id`, `customer_id`, `currency`, `mode`; "
        "order by `ordering`.",
        responses={200: [CREDIT_NOTE]},
    ),
    "POST /api/v1/credit-notes/": Operation(
        "createCreditNote",
        "Issue a credit note against an invoice",
        "Against an open or paid invoice (a draft or void one is a 409), by `lines` or by "
        "one `amount`: reduce_invoice takes it off the invoice's balance, customer_credit "
        "makes it the customer's credit. All notes of an invoice together never exceed its "
        "total, and reduce_invoice never more than its balance (400). reduce_invoice settles "
        "the invoice (paid) when its balance reaches 0. The number comes from the credit "
        "notes' own gap-free sequence. Send an Idempotency-Key to retry safely.",
        examples={
            "lines": {
                "invoice_id": 3,
                "mode": "reduce_invoice",
                "reason": "Damaged item",
                "lines": [
                    {
                        "description": "Product 1, damaged",
                        "quantity": "1",
                        "unit_price": "50.00",
                        "tax_rate": "10",
                    }
                ],
            },
            "amount": {
                "invoice_id": 3,
                "mode": "customer_credit",
                "reason": "Goodwill",
                "amount": "10.00",
            },
        },
        responses={201: CREDIT_NOTE},
    ),
    "GET /api/v1/credit-notes/{id}/": Operation(
        "getCreditNote",
        "Get a credit note",
        "Credit notes are never changed or deleted: a wrong one is answered by another.",
        responses={200: CREDIT_NOTE, 404: NOT_FOUND},
    ),
    "GET /api/v1/credit-notes/{id}/pdf/": Operation(
        "getCreditNotePdf",
        "Download a credit note as a PDF",
        "The credit note as a PDF document (`application/pdf`).",
        responses={404: NOT_FOUND},
    ),
    "POST /api/v1/usage/": Operation(
        "reportUsage",
        "Record usage",
        "Records one usage record (answered as one) or a JSON array of them (answered as "
        "an array; all or none). `customer_id` is optional; a customer the caller may not "
        "see: 400.",
        request=USAGE_RECORD,
        responses={201: {"id": 7, **USAGE_RECORD}},
    ),
    "POST /api/v1/usage/report/": Operation(
        "getUsageReport",
        "Report the usage of a period",
        "The usage records of the period (`start_date` to `end_date`, inclusive), "
        "optionally of one `region` and `service`, with their total cost summed exactly.",
        request={
            "start_date": "2026-11-01",
            "end_date": "2026-11-30",
            "filters": {"region": "us-west-1", "service": "EC2"},
        },
        responses={
            200: {
                "start_date": "2026-11-01",
                "end_date": "2026-11-30",
                "filters": {"region": "us-west-1", "service": "EC2"},
                "usage": [{"id": 1, **USAGE_RECORD}],
                "total_cost": 0.5,
            }
        },
    ),
    "GET /api/v1/webhook-endpoints/": Operation(
        "listWebhookEndpoints",
        "List webhook endpoints",
        LIST + "A user acting for customers sees its customers' endpoints only.",
        responses={200: [ENDPOINT]},
    ),
    "POST /api/v1/webhook-endpoints/": Operation(
        "createWebhookEndpoint",
        "Create a webhook endpoint",
        "An endpoint that receives the events it names (`*`: all) as webhooks signed per "
        "Standard Webhooks 1.0 (headers `webhook-id`, `webhook-timestamp`, "
        "`webhook-signature`). The answer holds its signing `secret`: the only one besides "
        "rotate-secret's.",
        request=ENDPOINT_INPUT,
        responses={201: {**ENDPOINT, "secret": SECRET}},
    ),
    "GET /api/v1/webhook-endpoints/{id}/": Operation(
        "getWebhookEndpoint",
        "Get a webhook endpoint",
        "The endpoint, without its secret; `disabled_at` and `failing_since` tell whether "
        "deliveries to it fail.",
        responses={200: ENDPOINT, 404: NOT_FOUND},
    ),
    "PATCH /api/v1/webhook-endpoints/{id}/": Operation(
        "updateWebhookEndpoint",
        "Change a webhook endpoint",
        "Changes the fields sent only; `is_active: true` enables an endpoint disabled after "
        "failing deliveries.",
        request={"events": ["*"], "is_active": True},
        responses={200: {**ENDPOINT, "events": ["*"]}},
    ),
    "DELETE /api/v1/webhook-endpoints/{id}/": Operation(
        "deleteWebhookEndpoint",
        "Delete a webhook endpoint",
        "Deletes the endpoint: no more events are delivered to it.",
        responses={404: NOT_FOUND},
    ),
    "GET /api/v1/webhook-endpoints/{id}/deliveries/": Operation(
        "listWebhookDeliveries",
        "List an endpoint's deliveries",
        "The endpoint's deliveries, newest first, each with its attempts: a bare array, "
        "paged on `?page`/`?page_size`.",
        responses={200: [DELIVERY]},
    ),
    "POST /api/v1/webhook-endpoints/{id}/deliveries/{delivery_id}/resend/": Operation(
        "resendWebhookDelivery",
        "Send a delivery again",
        "Sends a succeeded or failed delivery again, with the same `webhook-id`; one still "
        "pending: 409.",
        responses={
            200: {**DELIVERY, "status": "pending", "next_attempt_at": "2026-12-06T16:00:00Z"}
        },
    ),
    "POST /api/v1/webhook-endpoints/{id}/rotate-secret/": Operation(
        "rotateWebhookSecret",
        "Rotate an endpoint's signing secret",
        "Gives the endpoint a new signing secret, answered here only, used from the next "
        "attempt on (pending retries too).",
        responses={200: {**ENDPOINT, "secret": SECRET}},
    ),
    "GET /invoices/{token}.pdf": Operation(
        "getInvoicePdf",
        "Download an invoice as a PDF",
        "The invoice, paid or not, behind a signed link: no token needed, the link is the "
        "key. A link that is not valid: 404; an expired one: 410.",
        responses={404: {"detail": "This invoice link is not valid."}},
        tag="documents",
    ),
    "GET /receipts/{token}.pdf": Operation(
        "getReceiptPdf",
        "Download the receipt of an invoice's payments as a PDF",
        "The receipt of the invoice's payments, one page each (the invoice while nothing "
        "is paid), behind the signed link of the ISP face's receipt answer. A link that is "
        "not valid: 404; an expired one: 410.",
        responses={410: {"detail": "This receipt link has expired; ask for a new one."}},
        tag="documents",
    ),
}
