from billing_site.api.routes import route

from . import gateway_views, views

urlpatterns = [
    route("checkPaymentStatus", gateway_views.CheckPaymentStatusView.as_view(), "gateway-check"),
    route("updatePaymentStatus", gateway_views.UpdatePaymentStatusView.as_view(), "gateway-update"),
    route("getAllBilling", gateway_views.GetAllBillingView.as_view(), "gateway-all"),
    route(
        r"api/v1/invoices/(?P<invoice_id>[0-9]+)/payments",
        views.InvoicePaymentsView.as_view(),
        "invoice-payments",
    ),
]
