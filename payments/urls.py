from django.urls import include, path

from billing_site.api.routes import route

from . import gateway_views

urlpatterns = [
    route("checkPaymentStatus", gateway_views.CheckPaymentStatusView.as_view(), "gateway-check"),
    route("updatePaymentStatus", gateway_views.UpdatePaymentStatusView.as_view(), "gateway-update"),
    route("getAllBilling", gateway_views.GetAllBillingView.as_view(), "gateway-all"),
    path("", include("payments.api.urls")),
]
