"""The schema's words and examples for the reports face (document 003)."""

from billing_site.api.schema_docs import Operation

OPERATIONS = {
    "GET /api/v2/orders/": Operation("listOrders"),
    "POST /api/v2/orders/": Operation("createOrder"),
    "GET /api/v2/orders/{id}/": Operation("getOrder"),
    "DELETE /api/v2/orders/{id}/": Operation("deleteOrder"),
    "GET /api/v2/reports/": Operation("listReports"),
    "GET /api/v2/reports/{id}/": Operation("getReport"),
    "GET /api/v2/reports/{id}/download/": Operation("downloadReport"),
    "POST /api/v2/reports/{id}/invoice/": Operation("invoiceReport"),
    "GET /api/v2/reports/customer-summary/": Operation("getCustomerSummary"),
    "POST /api/v2/reports/generate/": Operation("generateReport"),
    "GET /api/v2/services/": Operation("listServices"),
    "POST /api/v2/services/": Operation("createService"),
    "GET /api/v2/services/{id}/": Operation("getService"),
    "PUT /api/v2/services/{id}/": Operation("updateService"),
    "PATCH /api/v2/services/{id}/": Operation("partialUpdateService"),
    "DELETE /api/v2/services/{id}/": Operation("deleteService"),
}
