from django.urls import include, path

urlpatterns = [
    # The gateway's routes first: they are the most called.
    path("", include("payments.gateway.urls")),
    path("", include("payments.api.urls")),
]
