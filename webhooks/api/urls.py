from billing_site.api.routers import OptionalSlashRouter

from . import views

router = OptionalSlashRouter()
router.register(
    "api/v1/webhook-endpoints", views.WebhookEndpointViewSet, basename="webhook-endpoint"
)

urlpatterns = router.urls
