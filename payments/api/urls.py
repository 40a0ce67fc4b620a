from billing_site.api.routes import route

from . import views

urlpatterns = [
    # Any segment as the id: a bad one is the face's 404 (``path_id``).
    route(
        r"api/v1/invoices/(?P<invoice_id>[^/]+)/payments",
        views.InvoicePaymentsView.as_view(),
        "invoice-payments",
    ),
    route(
        r"api/v1/payments/(?P<payment_id>[^/]+)/refunds",
        views.PaymentRefundsView.as_view(),
        "payment-refunds",
    ),
]
