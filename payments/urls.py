from django.urls import include, path

from billing_site.api.routes import route

from . import views

urlpatterns = [
    # The gateway's routes first: they are the most called.
    path("", include("payments.gateway.urls")),
    route(
        r"api/v1/invoices/(?P<invoice_id>[0-9]+)/payments",
        views.InvoicePaymentsView.as_view(),
        "invoice-payments",
    ),
]
