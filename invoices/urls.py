from django.urls import include, path

from billing_site.api.routes import route

from . import receipts

urlpatterns = [
    path("", include("invoices.api.urls")),
    path("", include("invoices.isp.urls")),
    route(
        r"receipts/(?P<token>[A-Za-z0-9_:\-]+)\.pdf",
        receipts.ReceiptPDFView.as_view(),
        "invoice-receipt-pdf",
    ),
    route(
        r"invoices/(?P<token>[A-Za-z0-9_:\-]+)\.pdf",
        receipts.InvoicePDFView.as_view(),
        "invoice-pdf",
    ),
]
