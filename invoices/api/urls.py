from billing_site.api.routers import OptionalSlashRouter

from . import views

router = OptionalSlashRouter()
router.register("api/v1/invoices", views.InvoiceViewSet, basename="invoice")
router.register("api/v1/customers", views.CustomerViewSet, basename="customer")

urlpatterns = router.urls
