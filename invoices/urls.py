from django.urls import include, path

from billing_site.api.routers import OptionalSlashRouter
from billing_site.api.routes import route

from . import receipts, views

router = OptionalSlashRouter()
router.register("api/v1/invoices", views.InvoiceViewSet, basename="invoice")
router.register("api/v1/customers", views.CustomerViewSet, basename="customer")

urlpatterns = [
    *router.urls,
    path("", include("invoices.isp.urls")),
    route(
        r"receipts/(?P<token>[A-Za-z0-9_:\-]+)\.pdf",
        receipts.ReceiptPDFView.as_view(),
        "invoice-receipt-pdf",
    ),
]
