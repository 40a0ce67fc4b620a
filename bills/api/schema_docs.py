"""The schema's words and examples for hosted bills (document 004) and the
payment providers' callbacks."""

from billing_site.api.schema_docs import Operation

TAG = "bills"

COLLECTION_INPUT = {
    "code": "demo",
    "title": "Demo collection",
    "organization_name": "Demo Organisation",
    "redirect_url": "https://shop.example.com/thank-you",
}
COLLECTION = {
    "id": 1,
    **COLLECTION_INPUT,
    "created_at": "2026-12-06 14:22:59",
    "updated_at": "2026-12-06 14:22:59",
}
PAGE = {
    "current_page": 1,
    "per_page": 50,
    "total": 1,
    "last_page": 1,
    "next_page_url": None,
    "prev_page_url": None,
    "from": 1,
    "to": 1,
}
BILL = {
    "id": 2,
    "bill_no": "EyMfcuMp",
    "due": "2026-12-13",
    "status": 2,
    "recurring": 3,
    "recurring_end_date": None,
    "collection_id": 1,
    "type": 2,
    "account_id": 8,
    "ref1": "Membership (monthly)",
    "ref2": "Member 42",
    "api_redirect": 1,
    "created_at": "2026-12-06 14:22:59",
    "created_by": 1,
    "updated_at": "2026-12-06 14:22:59",
    "currency": "MYR",
    "quantity_label": None,
    "is_metric": 0,
    "master_bill": None,
    "rbill_date": "2027-01-06",
    "bill_url": "http://127.0.0.1:8000/billing/bills/bill-payment?code=EyMfcuMp",
    "payment_url": "http://127.0.0.1:8000/payment/gateway/secure-pay?bill_no=EyMfcuMp",
    "forward_payment_url": "http://127.0.0.1:8000/payment/gateway/forward-to-payment-gateway"
    "?transactionRefId=CD__EyMfcuMp__20261206142259",
    "total_amount": "30.00",
    "total_paid": "0.00",
    "balance": "30.00",
    "paid": False,
    "product_collections": [
        {
            "id": 3,
            "bill_id": 2,
            "product_id": 3,
            "created_at": "2026-12-06 14:22:59",
            "updated_at": "2026-12-06 14:22:59",
            "quantity": 1.0,
            "product": {
                "id": 3,
                "title": "Monthly fee",
                "description": "",
                "code": "",
                "price": "30.00",
                "product_id": None,
                "currency": "MYR",
                "organization_id": None,
                "created_at": "2026-12-06 14:22:59",
                "updated_at": "2026-12-06 14:22:59",
            },
        }
    ],
    "payments": [],
}
BILL_INPUT = {
    "due": "2026-12-13",
    "ref1": "Membership (monthly)",
    "ref2": "Member 42",
    "currency": "MYR",
    "customer": {"acc_no": "911111111111", "first_name": "Raudhah", "email": "raudhah@example.com"},
    "product": [{"title": "Monthly fee", "price": "30.00", "quantity": "1"}],
}
INVALID = {
    "message": "The given data was invalid.",
    "errors": {
        "ref2": ["This field is required."],
        "product.0.price": ["A valid number is required."],
    },
}
NO_COLLECTION = {"message": "Collection not found.", "errors": {}}

OPERATIONS = {
    "GET /api/collections/": Operation(
        "listCollections",
        "List collections",
        "The collections bills are raised in, a page at a time (`?page`, `?per_page`), "
        "with the page's links and counts.",
        responses={200: {**PAGE, "data": [COLLECTION]}},
    ),
    "POST /api/collections/": Operation(
        "createCollection",
        "Create a collection",
        "A collection, named by its unique `code` in the bills' paths; only users who see "
        "every customer change collections. A body that fails validation: 422.",
        request=COLLECTION_INPUT,
        responses={201: COLLECTION},
    ),
    "GET /api/collections/{code}/": Operation(
        "getCollection",
        "Get a collection",
        "The collection named by its code.",
        responses={200: COLLECTION, 404: NO_COLLECTION},
    ),
    "GET /api/collections/{code}/bills/": Operation(
        "listBills",
        "List a collection's bills",
        "The collection's bills, a page at a time (`?page`, `?per_page`); filter by "
        "`status`, `paid`, `ref1`, `ref2`, `due_from`/`due_to`; `include` adds related "
        "objects. A bad query parameter: 400.",
        responses={200: {**PAGE, "data": [BILL]}},
    ),
    "POST /api/collections/{code}/bills/": Operation(
        "createBill",
        "Create a bill",
        "Creates a bill with its customer and products; its `bill_url` is the page a "
        "customer pays it on. With `recurring` (1 daily, 2 weekly, 3 monthly, 4 quarterly, "
        "5 yearly, or the name) it is the master of a series: its next bill is issued on "
        "`rbill_date`, and each after it one interval on, until `recurring_end_date` (if "
        "given) or until the master is cancelled. A body that fails validation: 422.",
        examples={
            "one bill": BILL_INPUT,
            "monthly for a year": {
                **BILL_INPUT,
                "recurring": 3,
                "recurring_end_date": "2027-12-31",
            },
        },
        responses={200: BILL, 422: INVALID},
    ),
    "GET /api/collections/{code}/bills/{bill_no}/": Operation(
        "getBill",
        "Get a bill",
        "The bill named by its number, with its products and payments.",
        responses={200: BILL, 404: {"message": "Bill not found.", "errors": {}}},
    ),
    "PATCH /api/collections/{code}/bills/{bill_no}/": Operation(
        "updateBill",
        "Change or cancel a bill",
        "Changes a bill's terms, or cancels it with `cancel: true` (409 once paid). "
        "Cancelling a master ends its series: `rbill_date` becomes null and no bill is "
        "issued after it; its own bill is cancelled unless something is paid on it, and "
        "the bills already issued stay payable. The recurrence cannot be changed (422).",
        examples={"new due date": {"due": "2026-12-31"}, "cancel": {"cancel": True}},
        responses={200: {**BILL, "due": "2026-12-31"}},
    ),
    "POST /api/payments/callback/{provider}/": Operation(
        "paymentCallback",
        "Receive a payment provider's notification",
        "A payment provider's notification for a bill; no token: the HMAC-SHA256 "
        "`signature` (hex) with the collection's secret proves the sender, and a bad one is "
        "a 401 that records nothing. `paid: true` with a status of paid, success, "
        "successful or completed records the payment; the same `ref_id` twice records once; "
        "anything else records nothing.",
        request={
            "bill_no": "EyMfcuMp",
            "amount": "30.00",
            "currency": "MYR",
            "ref_id": "PAY-20261206-0001",
            "paid": True,
            "status": "paid",
            "signature": "9f2c6a0e5b1d4c7f8a3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a",
        },
        responses={
            200: {
                "message": "Payment recorded.",
                "bill_no": "EyMfcuMp",
                "payment_id": 12,
                "balance": "0.00",
                "paid": True,
            },
            401: {"message": "Invalid signature.", "errors": {}},
        },
    ),
    "GET /billing/bills/{token}.pdf": Operation(
        "getBillPdf",
        "Download a bill as a PDF",
        "The bill, under its number and its collection's organisation, behind a signed "
        "link: no token needed, the link is the key. A link that is not valid: 404; an "
        "expired one: 410.",
        responses={404: {"detail": "This bill link is not valid."}},
        tag="documents",
    ),
    "GET /billing/bills/{token}/receipt.pdf": Operation(
        "getBillReceiptPdf",
        "Download the receipt of a bill's payments as a PDF",
        "The receipts of the bill's payments, one page each (the bill while nothing is "
        "paid), behind a signed link. A link that is not valid: 404; an expired one: 410.",
        responses={410: {"detail": "This bill link has expired; ask for a new one."}},
        tag="documents",
    ),
}
