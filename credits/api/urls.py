from billing_site.api.routers import OptionalSlashRouter

from . import views

router = OptionalSlashRouter()
router.register("api/v1/credit-notes", views.CreditNoteViewSet, basename="credit-note")

urlpatterns = router.urls
