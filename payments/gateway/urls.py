from billing_site.api.routes import route

from . import views

urlpatterns = [
    route("checkPaymentStatus", views.CheckPaymentStatusView.as_view(), "gateway-check"),
    route("updatePaymentStatus", views.UpdatePaymentStatusView.as_view(), "gateway-update"),
    route("getAllBilling", views.GetAllBillingView.as_view(), "gateway-all"),
]
