"""The schema's words and examples for the invoices face (document 001): invoices
and their payments and refunds, customers, credit notes, usage and webhook
endpoints, all under ``/api/v1/``; and the signed links to invoice documents."""

from billing_site.api.schema_docs import Operation

OPERATIONS = {
    "GET /api/v1/invoices/": Operation("listInvoices"),
    "POST /api/v1/invoices/": Operation("createInvoice"),
    "GET /api/v1/invoices/{id}/": Operation("getInvoice"),
    "PUT /api/v1/invoices/{id}/": Operation("updateInvoice"),
    "PATCH /api/v1/invoices/{id}/": Operation("partialUpdateInvoice"),
    "DELETE /api/v1/invoices/{id}/": Operation("deleteInvoice"),
    "POST /api/v1/invoices/{id}/issue/": Operation("issueInvoice"),
    "POST /api/v1/invoices/{id}/void/": Operation("voidInvoice"),
    "GET /api/v1/invoices/{invoice_id}/payments/": Operation("listInvoicePayments"),
    "POST /api/v1/invoices/{invoice_id}/payments/": Operation("createInvoicePayment"),
    "GET /api/v1/payments/{payment_id}/refunds/": Operation("listRefunds"),
    "POST /api/v1/payments/{payment_id}/refunds/": Operation("createRefund"),
    "GET /api/v1/customers/": Operation("listCustomers"),
    "POST /api/v1/customers/": Operation("createCustomer"),
    "GET /api/v1/customers/{id}/": Operation("getCustomer"),
    "PUT /api/v1/customers/{id}/": Operation("updateCustomer"),
    "PATCH /api/v1/customers/{id}/": Operation("partialUpdateCustomer"),
    "DELETE /api/v1/customers/{id}/": Operation("deleteCustomer"),
    "GET /api/v1/credit-notes/": Operation("listCreditNotes"),
    "POST /api/v1/credit-notes/": Operation("createCreditNote"),
    "GET /api/v1/credit-notes/{id}/": Operation("getCreditNote"),
    "GET /api/v1/credit-notes/{id}/pdf/": Operation("getCreditNotePdf"),
    "POST /api/v1/usage/": Operation("reportUsage"),
    "POST /api/v1/usage/report/": Operation("getUsageReport"),
    "GET /api/v1/webhook-endpoints/": Operation("listWebhookEndpoints"),
    "POST /api/v1/webhook-endpoints/": Operation("createWebhookEndpoint"),
    "GET /api/v1/webhook-endpoints/{id}/": Operation("getWebhookEndpoint"),
    "PATCH /api/v1/webhook-endpoints/{id}/": Operation("updateWebhookEndpoint"),
    "DELETE /api/v1/webhook-endpoints/{id}/": Operation("deleteWebhookEndpoint"),
    "GET /api/v1/webhook-endpoints/{id}/deliveries/": Operation("listWebhookDeliveries"),
    "POST /api/v1/webhook-endpoints/{id}/deliveries/{delivery_id}/resend/": Operation(
        "resendWebhookDelivery"
    ),
    "POST /api/v1/webhook-endpoints/{id}/rotate-secret/": Operation("rotateWebhookSecret"),
    "GET /invoices/{token}.pdf": Operation("getInvoicePdf"),
    "GET /receipts/{token}.pdf": Operation("getReceiptPdf"),
}
