"""Extra routes for the request log tests: a crash, a rolled-back write, a PDF, an echo."""

from django.db import transaction
from django.http import HttpResponse
from django.urls import include, path
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from invoices.models import Customer


def boom(request):
    raise RuntimeError("unexpected")


def rolled_back(request):
    with transaction.atomic():
        Customer.objects.create(name="Rolled Back", account_number="RB-1")
        raise RuntimeError("after a write")


def pdf(request):
    return HttpResponse(b"%PDF-1.4\n" + bytes(range(256)) * 4, content_type="application/pdf")


@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def echo(request):
    return Response(request.data)


urlpatterns = [
    path("test/boom", boom),
    path("test/rolled-back", rolled_back),
    path("test/pdf", pdf),
    path("test/echo", echo),
    path("", include("billing_site.urls")),
]

handler400 = "billing_site.api.views.bad_request"
handler403 = "billing_site.api.views.permission_denied"
handler404 = "billing_site.unknown_routes.unknown_route"
handler500 = "billing_site.api.views.server_error"
