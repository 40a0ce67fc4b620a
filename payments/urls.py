from django.urls import include, path

# The gateway's routes are the project's first (billing_site/urls.py).
urlpatterns = [path("", include("payments.api.urls"))]
