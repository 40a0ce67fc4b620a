"""The schema's words and examples for the payment gateway (document 000)."""

from billing_site.api.schema_docs import Operation

OPERATIONS = {
    "POST /checkPaymentStatus": Operation("checkPaymentStatus"),
    "POST /updatePaymentStatus": Operation("updatePaymentStatus"),
    "GET /getAllBilling": Operation("getAllBilling"),
}
