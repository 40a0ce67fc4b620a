"""The schema's words and examples for the ISP invoice details (document 002)."""

from billing_site.api.schema_docs import Operation

TAG = "isp"

RANGE = (
    "Dates are yyyy-mm-dd, inclusive; a fromDate alone is that date onward, no dates "
    "every invoice. "
)
STATUS = (
    "status: paid, unpaid, all or overdue (an addition: the unpaid invoices due before today). "
)
BAD_ARGUMENT = "A malformed argument: 400 naming it."
IDS = {"1": 1, "3": 3, "4": 4}
INVOICE_WITH_CONTACT = {
    "Contact": {
        "user_id": "1",
        "person_title": "73737373",
        "status": "active",
        "group_name": "",
        "first_name": "Ahmed",
        "last_name": "Rahman",
        "email": "ahmed.rahman@example.com",
        "phone_phone_number": "9999999999",
        "street_addres1": "123 Anywhere St",
        "street_addres2": "Baghdad",
        "account_id": "73737373",
        "create_datetime": "2026-12-06 14:22:59",
        "user_created": "2026-12-06 14:22:59",
        "gst_number": None,
        "gst_start_date": None,
        "deleted": "0",
        "profile_name": "",
    },
    "Invoice": {
        "id": "1",
        "public_number": "333333",
        "balance": "50000.000",
        "total": "50000.000",
        "status_id": "2",
        "create_timestamp": "2026-12-06 14:22:59",
        "package_name": "test",
    },
}
BAD_DATE = {
    "status": "error",
    "errorCode": 400,
    "message": "fromDate must be a date as yyyy-mm-dd, not '2026-13-01'.",
}


def invoice_ids(operation_id: str, summary: str, arguments: str) -> Operation:
    return Operation(
        operation_id,
        summary,
        "A JSON object mapping each invoice id to itself, in id order, of the invoices "
        f"issued in the range the caller may see. {arguments}{BAD_ARGUMENT}",
        responses={200: IDS, 400: BAD_DATE},
    )


def all_invoices(operation_id: str, summary: str) -> Operation:
    return Operation(
        operation_id,
        summary,
        "Every invoice issued in the range with its customer's contact, as document 002 "
        f"writes it: one array of Contact/Invoice pairs inside another. {RANGE}{BAD_ARGUMENT}",
        responses={200: [[INVOICE_WITH_CONTACT]], 400: BAD_DATE},
    )


def user_invoices(operation_id: str, summary: str, arguments: str) -> Operation:
    return Operation(
        operation_id,
        summary,
        "The ids of the user's (customer's) invoices, mapped to themselves inside a "
        f"one-element array. {arguments}An unknown user: 404.",
        responses={
            200: [{"1": 1, "2": 2}],
            404: {"status": "error", "errorCode": 404, "message": "User 99 not found."},
        },
    )


OPERATIONS = {
    "GET /api/v1/get_all_invoice_ids/": invoice_ids(
        "getAllInvoiceIds", "List the ids of every invoice", ""
    ),
    "GET /api/v1/get_all_invoice_ids/{from_date}/": invoice_ids(
        "getInvoiceIdsFrom", "List the ids of the invoices issued from a date", RANGE
    ),
    "GET /api/v1/get_all_invoice_ids/{from_date}/{to_date}/": invoice_ids(
        "getInvoiceIdsBetween", "List the ids of the invoices issued between two dates", RANGE
    ),
    "GET /api/v1/get_all_invoice_ids/{from_date}/{to_date}/{status}/": invoice_ids(
        "getInvoiceIdsBetweenByStatus",
        "List the ids of the invoices of a status issued between two dates",
        RANGE + STATUS,
    ),
    "GET /api/v1/get_all_invoices/": all_invoices(
        "getAllInvoices", "List every invoice with its customer's contact"
    ),
    "GET /api/v1/get_all_invoices/{from_date}/": all_invoices(
        "getAllInvoicesFrom", "List the invoices issued from a date with their contacts"
    ),
    "GET /api/v1/get_all_invoices/{from_date}/{to_date}/": all_invoices(
        "getAllInvoicesBetween", "List the invoices issued between two dates with their contacts"
    ),
    "GET /api/v1/get_all_invoices_from_userid/{user_id}/": user_invoices(
        "getUserInvoices", "List the ids of one user's invoices", ""
    ),
    "GET /api/v1/get_all_invoices_from_userid/{user_id}/{status}/": user_invoices(
        "getUserInvoicesByStatus", "List the ids of one user's invoices of a status", STATUS
    ),
    "GET /api/v1/get_invoice_details/{invoice_id}/": Operation(
        "getInvoiceDetails",
        "Get one invoice's details",
        "The invoice's details as document 002 writes them, inside a one-element array: "
        "amounts as decimal strings, its lines in `detailsOfInvoice` (after a leading "
        "empty string), the customer's name and account number (`circuit_id`). An "
        "invoice the caller may not see or that does not exist: 404.",
        responses={
            200: [
                {
                    "invoiceNumber": "333333",
                    "amount": "50000.000",
                    "balance": "50000.000",
                    "description": "test",
                    "billGeneratedDate": "2026-12-06 14:22:59+00:00",
                    "detailsOfInvoice": ["", {"amount": "50000.000", "description": "test"}],
                    "name": "Ahmed Rahman",
                    "user_id": "1",
                    "circuit_id": "73737373",
                    "billingPeriodFrom": "2026-12-01",
                    "billingPeriodTo": "2026-12-06",
                    "billingDueDate": "2027-01-05",
                    "status": "open",
                }
            ],
            404: {"status": "error", "errorCode": 404, "message": "Invoice 999 not found."},
        },
    ),
    "GET /api/v1/get_invoice_receipt/{user_id}/{invoice_id}/": Operation(
        "getInvoiceReceipt",
        "Get the URL of an invoice's PDF receipt",
        "A signed URL of the PDF receipt of the invoice's payments (the invoice itself "
        "while nothing is paid), in `message`; it opens without a token until it "
        "expires. An invoice that is not that user's: 404.",
        responses={
            200: {
                "status": "success",
                "errorCode": 200,
                "message": "http://127.0.0.1:8000/receipts/MQ:1xaD8z:Oo9sH8qDxtOBSfZDAqA0uOApAsc.pdf",
            },
            404: {"status": "error", "errorCode": 404, "message": "Invoice 7 of user 1 not found."},
        },
    ),
}
