"""The schema's words and examples for the ISP invoice details (document 002)."""

from billing_site.api.schema_docs import Operation

OPERATIONS = {
    "GET /api/v1/get_all_invoice_ids/": Operation("getAllInvoiceIds"),
    "GET /api/v1/get_all_invoice_ids/{from_date}/": Operation("getInvoiceIdsFrom"),
    "GET /api/v1/get_all_invoice_ids/{from_date}/{to_date}/": Operation("getInvoiceIdsBetween"),
    "GET /api/v1/get_all_invoice_ids/{from_date}/{to_date}/{status}/": Operation(
        "getInvoiceIdsBetweenByStatus"
    ),
    "GET /api/v1/get_all_invoices/": Operation("getAllInvoices"),
    "GET /api/v1/get_all_invoices/{from_date}/": Operation("getAllInvoicesFrom"),
    "GET /api/v1/get_all_invoices/{from_date}/{to_date}/": Operation("getAllInvoicesBetween"),
    "GET /api/v1/get_all_invoices_from_userid/{user_id}/": Operation("getUserInvoices"),
    "GET /api/v1/get_all_invoices_from_userid/{user_id}/{status}/": Operation(
        "getUserInvoicesByStatus"
    ),
    "GET /api/v1/get_invoice_details/{invoice_id}/": Operation("getInvoiceDetails"),
    "GET /api/v1/get_invoice_receipt/{user_id}/{invoice_id}/": Operation("getInvoiceReceipt"),
}
