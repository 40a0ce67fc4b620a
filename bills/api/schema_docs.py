"""The schema's words and examples for hosted bills (document 004)."""

from billing_site.api.schema_docs import Operation

OPERATIONS = {
    "GET /api/collections/": Operation("listCollections"),
    "POST /api/collections/": Operation("createCollection"),
    "GET /api/collections/{code}/": Operation("getCollection"),
    "GET /api/collections/{code}/bills/": Operation("listBills"),
    "POST /api/collections/{code}/bills/": Operation("createBill"),
    "GET /api/collections/{code}/bills/{bill_no}/": Operation("getBill"),
    "PATCH /api/collections/{code}/bills/{bill_no}/": Operation("updateBill"),
    "POST /api/payments/callback/{provider}/": Operation("paymentCallback"),
    "GET /billing/bills/{token}.pdf": Operation("getBillPdf"),
    "GET /billing/bills/{token}/receipt.pdf": Operation("getBillReceiptPdf"),
}
