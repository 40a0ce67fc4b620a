"""The invoices face (document 001): invoices and customers."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from billing_site.api.idempotency import idempotent
from billing_site.api.permissions import ModelPermissions

from . import selectors, services
from .filters import CustomerFilter, InvoiceFilter
from .serializers import CustomerSerializer, InvoiceSerializer, InvoiceWriteSerializer

_CHANGE_INVOICE = ["invoices.change_invoice"]


@extend_schema_view(
    create=extend_schema(request=InvoiceWriteSerializer, responses={201: InvoiceSerializer}),
    update=extend_schema(request=InvoiceWriteSerializer, responses={200: InvoiceSerializer}),
    partial_update=extend_schema(
        request=InvoiceWriteSerializer, responses={200: InvoiceSerializer}
    ),
)
@extend_schema(tags=["invoices"])
class InvoiceViewSet(viewsets.ModelViewSet):
    """Invoices. Only drafts can be edited or deleted (409 otherwise); ``issue``
    opens a draft, ``void`` cancels a draft or an unpaid open invoice."""

    serializer_class = InvoiceSerializer
    permission_classes = [IsAuthenticated, ModelPermissions]
    filterset_class = InvoiceFilter
    throttle_scope = "invoices"
    action_perms = {"issue": _CHANGE_INVOICE, "void": _CHANGE_INVOICE}

    def get_queryset(self):
        return selectors.invoice_list(user=self.request.user)

    def _respond(self, invoice, status_code=status.HTTP_200_OK):
        fresh = selectors.invoice_get(user=self.request.user, pk=invoice.pk)
        return Response(InvoiceSerializer(fresh).data, status=status_code)

    def _write_serializer(self, instance=None, partial=False):
        if not isinstance(self.request.data, dict):
            raise ValidationError({"detail": ["The body must be a JSON object."]})
        if instance is not None and self.request.data.get("status", "draft") != "draft":
            raise ValidationError({"status": ["Use POST /issue or /void to change the status."]})
        serializer = InvoiceWriteSerializer(
            instance,
            data=self.request.data,
            partial=partial,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        return serializer

    @idempotent
    def create(self, request, *args, **kwargs):
        arguments = self._write_serializer().service_arguments()
        return self._respond(services.invoice_create(**arguments), status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        invoice = self.get_object()
        arguments = self._write_serializer(invoice, partial=partial).service_arguments()
        return self._respond(services.invoice_update(invoice=invoice, **arguments))

    def destroy(self, request, *args, **kwargs):
        services.invoice_delete(invoice=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: InvoiceSerializer})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        return self._respond(services.invoice_issue(invoice=self.get_object()))

    @extend_schema(request=None, responses={200: InvoiceSerializer})
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        return self._respond(services.invoice_void(invoice=self.get_object()))


@extend_schema(tags=["customers"])
class CustomerViewSet(viewsets.ModelViewSet):
    """Customers. One with invoices cannot be deleted (409): set it inactive."""

    serializer_class = CustomerSerializer
    permission_classes = [IsAuthenticated, ModelPermissions]
    filterset_class = CustomerFilter
    throttle_scope = "invoices"

    def get_queryset(self):
        return selectors.customer_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.customer_create(
            created_by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.customer_update(
            customer=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.customer_delete(customer=instance)
