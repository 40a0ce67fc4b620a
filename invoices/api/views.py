"""The invoices face (document 001): invoices and customers."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from billing_site.api.idempotency import idempotent
from billing_site.api.permissions import ModelPermissions, UsesFace
from billing_site.api.streaming import BareArrayListMixin

from .. import selectors, services
from ..models import Invoice
from .face import InvoicesFaceView, path_id
from .filters import CustomerFilter, InvoiceFilter
from .serializers import (
    CustomerDetailSerializer,
    CustomerSerializer,
    InvoiceSerializer,
    InvoiceWriteSerializer,
)

_CHANGE_INVOICE = ["invoices.change_invoice"]


class FaceViewSet(InvoicesFaceView, BareArrayListMixin, viewsets.ModelViewSet):
    """A resource of the face: its list a bare JSON array of every row, streamed
    (paged on ``?page``/``?page_size``); its objects named by id in the path."""

    permission_classes = [IsAuthenticated, UsesFace, ModelPermissions]
    lookup_value_regex = "[^/]+"  # any segment: a bad id is this face's 404

    def get_object(self):
        path_id(self.kwargs[self.lookup_field])
        return super().get_object()


@extend_schema_view(
    create=extend_schema(request=InvoiceWriteSerializer, responses={201: InvoiceSerializer}),
    update=extend_schema(request=InvoiceWriteSerializer, responses={200: InvoiceSerializer}),
    partial_update=extend_schema(
        request=InvoiceWriteSerializer, responses={200: InvoiceSerializer}
    ),
    destroy=extend_schema(responses={204: None}),
)
class InvoiceViewSet(FaceViewSet):
    """Invoices. A new one is issued (open) unless sent with ``"status": "draft"``.
    A draft is edited freely; an open invoice without payments may change its
    lines, amount, description and due date (the change is recorded); one with
    payments, paid or void cannot change (409). ``DELETE`` voids a draft or an
    open invoice without payments (its number stays taken; it leaves the list
    unless ``?status=void``); ``issue`` opens a draft."""

    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilter
    action_perms = {"issue": _CHANGE_INVOICE, "void": _CHANGE_INVOICE}

    def get_queryset(self):
        return selectors.invoice_list(user=self.request.user)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action == "list" and not self.request.query_params.get("status"):
            queryset = queryset.exclude(status=Invoice.Status.VOID)
        return queryset

    def _respond(self, invoice, status_code=status.HTTP_200_OK):
        fresh = selectors.invoice_get(user=self.request.user, pk=invoice.pk)
        return Response(InvoiceSerializer(fresh).data, status=status_code)

    def _write_serializer(self, instance=None, partial=False):
        if not isinstance(self.request.data, dict):
            raise ValidationError({"detail": ["The body must be a JSON object."]})
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
        serializer = self._write_serializer(invoice, partial=partial)
        if invoice.status == Invoice.Status.DRAFT:
            invoice = services.invoice_update(invoice=invoice, **serializer.service_arguments())
        else:
            invoice = services.invoice_revise(
                invoice=invoice, changed_by=request.user, **serializer.revision_arguments()
            )
        return self._respond(invoice)

    def destroy(self, request, *args, **kwargs):
        services.invoice_void(invoice=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: InvoiceSerializer})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        return self._respond(services.invoice_issue(invoice=self.get_object()))

    @extend_schema(request=None, responses={200: InvoiceSerializer})
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        return self._respond(services.invoice_void(invoice=self.get_object()))


@extend_schema_view(retrieve=extend_schema(responses={200: CustomerDetailSerializer}))
class CustomerViewSet(FaceViewSet):
    """Customers. One with invoices cannot be deleted (409): set it inactive."""

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter

    def get_queryset(self):
        return selectors.customer_list(
            user=self.request.user, with_credit=self.action == "retrieve"
        )

    def get_serializer_class(self):
        return CustomerDetailSerializer if self.action == "retrieve" else CustomerSerializer

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
