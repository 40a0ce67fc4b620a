from billing_site.api.routers import OptionalSlashRouter
from billing_site.api.routes import route

from . import callbacks, views

router = OptionalSlashRouter()
router.register("api/collections", views.CollectionViewSet, basename="collection")
router.register(r"api/collections/(?P<code>[^/]+)/bills", views.BillViewSet, basename="bill")

urlpatterns = [
    *router.urls,
    route(
        r"api/payments/callback/(?P<provider>[^/]+)",
        callbacks.PaymentCallbackView.as_view(),
        "payment-callback",
    ),
]
