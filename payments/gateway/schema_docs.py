"""The schema's words and examples for the payment gateway (document 000)."""

from billing_site.api.schema_docs import Operation

from .errors import NOT_FOUND, REFERENCE_REQUIRED

# The sample record of document 000.
RECORD = {
    "billingNumber": 333333,
    "createdAt": "2026-12-06T14:22:59+00:00",
    "currency": "IQD",
    "customerAccountName": "Ahmed Rahman",
    "customerID": 73737373,
    "description": "test",
    "orderID": 4499494,
    "paymentAmount": "50000.00",
    "paymentStatus": "unpaid",
    "success": "true",
}
REFERENCE = {"orderID": 4499494, "billingNumber": 333333}
MISSING = {"success": "false", "message": REFERENCE_REQUIRED}
NOT_FOUND_BODY = {"success": "false", "message": NOT_FOUND}

TAG = "gateway"
OPERATIONS = {
    "POST /checkPaymentStatus": Operation(
        "checkPaymentStatus",
        "Check the payment status of a billing record",
        "Finds the billing record (an invoice) by its order id (`orderID`, or `orderId`) "
        "and billing number, among the records the caller may see. Either reference "
        f'missing or empty: 400 "{REFERENCE_REQUIRED}"; no such record: 404 "{NOT_FOUND}".',
        examples={"orderID": REFERENCE, "orderId": {"orderId": 4499494, "billingNumber": 333333}},
        responses={200: {**RECORD, "message": "successful"}, 400: MISSING, 404: NOT_FOUND_BODY},
    ),
    "POST /updatePaymentStatus": Operation(
        "updatePaymentStatus",
        "Mark a billing record paid",
        "Records one payment of the invoice's balance and marks it paid, in one "
        'transaction. A record already paid: 400 "payment is already paid"; no such '
        f'record: 404 "{NOT_FOUND}". With an `Idempotency-Key` a retry gets the first '
        "answer again.",
        request=REFERENCE,
        responses={
            200: {**RECORD, "paymentStatus": "paid", "message": "payment is successful"},
            400: {"success": "false", "message": "payment is already paid"},
        },
    ),
    "GET /getAllBilling": Operation(
        "getAllBilling",
        "List every billing record",
        "A bare JSON array of every record the caller may see, streamed, each with "
        '`"message": "retrieved successfully"`; `?status=paid|unpaid|overdue` filters them '
        "(overdue: unpaid and due before today).",
        responses={200: [{**RECORD, "message": "retrieved successfully"}]},
    ),
}
