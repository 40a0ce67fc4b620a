from billing_site.api.routers import OptionalSlashRouter
from billing_site.api.routes import route

from . import usage, views

router = OptionalSlashRouter()
router.register("api/v2/services", views.ServiceViewSet, basename="service")
router.register("api/v2/orders", views.OrderViewSet, basename="order")
router.register("api/v2/reports", views.ReportViewSet, basename="report")

urlpatterns = [
    *router.urls,
    route("api/v1/usage", usage.UsageRecordView.as_view(), "usage-records"),
    route("api/v1/usage/report", usage.UsageReportView.as_view(), "usage-report"),
]
