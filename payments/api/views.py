"""Payments of one invoice, on the invoices face."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from billing_site.api.idempotency import idempotent
from billing_site.api.permissions import HasPerms, UsesFace
from invoices.api.face import InvoicesFaceView, path_id
from invoices.api.serializers import PaymentSerializer
from invoices.selectors import invoice_get

from .. import services
from .serializers import PaymentCreateSerializer, RecordedPaymentSerializer


class InvoicePaymentsView(InvoicesFaceView, APIView):
    """``GET``: the invoice's payments. ``POST``: record a (partial) payment.
    Overpaying is a 400; an invoice that is not open, or a provider reference
    already recorded, is a 409."""

    permission_classes = [IsAuthenticated, UsesFace, HasPerms]

    @property
    def required_perms(self):
        view = ["invoices.view_invoice", "payments.view_payment"]
        return view if self.request.method in ("GET", "HEAD") else [*view, "payments.add_payment"]

    def _invoice(self, invoice_id):
        invoice = invoice_get(user=self.request.user, pk=path_id(invoice_id))
        if invoice is None:
            raise Http404
        return invoice

    @extend_schema(tags=["invoices"], responses={200: PaymentSerializer(many=True)})
    def get(self, request, invoice_id):
        payments = self._invoice(invoice_id).payments.all()
        return Response(PaymentSerializer(payments, many=True).data)

    @extend_schema(
        tags=["invoices"],
        request=PaymentCreateSerializer,
        responses={201: RecordedPaymentSerializer},
    )
    @idempotent
    def post(self, request, invoice_id):
        invoice = self._invoice(invoice_id)
        serializer = PaymentCreateSerializer(
            data=request.data, context={"currency": invoice.currency}
        )
        serializer.is_valid(raise_exception=True)
        payment = services.payment_record(
            invoice_id=invoice.pk, recorded_by=request.user, **serializer.service_arguments()
        )
        return Response(RecordedPaymentSerializer(payment).data, status=status.HTTP_201_CREATED)
