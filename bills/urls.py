from django.urls import path

from billing_site.api.routers import OptionalSlashRouter
from billing_site.api.routes import route

from . import pages, views

router = OptionalSlashRouter()
router.register("api/collections", views.CollectionViewSet, basename="collection")
router.register(r"api/collections/(?P<code>[^/]+)/bills", views.BillViewSet, basename="bill")

urlpatterns = [
    *router.urls,
    route(
        r"api/payments/callback/(?P<provider>[^/]+)",
        views.PaymentCallbackView.as_view(),
        "payment-callback",
    ),
    path("bills/<str:bill_no>", pages.bill_page, name="bill-page"),
    path("bills/<str:bill_no>/pay", pages.payment_page, name="bill-pay"),
]
