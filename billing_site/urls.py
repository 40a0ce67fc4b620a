from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework_simplejwt.views import TokenRefreshView

from billing_site import health, metrics_view
from billing_site.api.auth import LoginView, LogoutView, TokenObtainView, throttled_admin_login
from billing_site.api.routes import route
from billing_site.unknown_routes import unknown_route

urlpatterns = [
    # Routes are tried in order: the gateway's, the most called, first; then the
    # invoices' router and its dozens of patterns after the other faces' few.
    path("", include("payments.gateway.urls")),
    path("", RedirectView.as_view(url="/api/docs/"), name="home"),
    path("admin", RedirectView.as_view(url="/admin/")),
    path("admin/login/", throttled_admin_login),
    path("admin/", admin.site.urls),
    route("healthz", health.healthz, "healthz"),
    route("readyz", health.readyz, "readyz"),
    route("metrics", metrics_view.metrics, "metrics"),
    route("api/schema", SpectacularAPIView.as_view(), "schema"),
    route("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), "docs"),
    route("login", LoginView.as_view(), "login"),
    route("api/auth/token", TokenObtainView.as_view(), "token-obtain"),
    route("api/auth/token/refresh", TokenRefreshView.as_view(), "token-refresh"),
    route("api/auth/logout", LogoutView.as_view(), "logout"),
    path("", include("payments.urls")),
    path("", include("invoices.urls")),
    path("", include("credits.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("bills.urls")),
    path("", include("webhooks.api.urls")),
    # Last: any other path is a JSON 404 in the shape of the face it falls under.
    re_path(r"^", unknown_route, name="unknown-route"),
]

handler400 = "billing_site.api.views.bad_request"
handler403 = "billing_site.api.views.permission_denied"
handler404 = "billing_site.unknown_routes.unknown_route"
handler500 = "billing_site.api.views.server_error"
