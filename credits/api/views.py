"""Credit notes on the invoices face: ``/api/v1/credit-notes/``."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from billing_site.api.idempotency import idempotent
from billing_site.api.permissions import ModelPermissions, UsesFace
from billing_site.api.streaming import BareArrayListMixin
from billing_site.documents.renderer import PDFRenderer
from invoices.api.face import InvoicesFaceView, path_id
from invoices.receipts import pdf_response

from .. import selectors, services
from ..documents import credit_note_document
from .filters import CreditNoteFilter
from .serializers import CreditNoteCreateSerializer, CreditNoteSerializer


class CreditNoteViewSet(
    InvoicesFaceView,
    BareArrayListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Credit notes, issued against issued invoices and never changed or deleted:
    a wrong one is answered by another document, as an invoice is."""

    permission_classes = [IsAuthenticated, UsesFace, ModelPermissions]
    serializer_class = CreditNoteSerializer
    filterset_class = CreditNoteFilter
    lookup_value_regex = "[^/]+"  # any segment: a bad id is this face's 404
    action_perms = {"pdf": ["credits.view_creditnote"]}

    def get_queryset(self):
        return selectors.credit_note_list(user=self.request.user)

    def get_object(self):
        path_id(self.kwargs[self.lookup_field])
        return super().get_object()

    @extend_schema(
        request=CreditNoteCreateSerializer,
        responses={201: CreditNoteSerializer},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = CreditNoteCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        note = services.credit_note_issue(issued_by=request.user, **serializer.service_arguments())
        fresh = selectors.credit_note_get(user=request.user, pk=note.pk)
        return Response(CreditNoteSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (404, "application/json"): OpenApiTypes.OBJECT,
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[PDFRenderer])
    def pdf(self, request, pk=None):
        note = self.get_object()  # another customer's note is a 404
        return pdf_response(credit_note_document(note), f"credit_note_{note.number}")
