"""Payments of one invoice, and refunds of one payment, on the invoices face."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from billing_site.api.idempotency import HEADER, idempotent
from billing_site.api.permissions import HasPerms, UsesFace
from invoices.api.face import InvoicesFaceView, path_id
from invoices.api.serializers import PaymentSerializer, RefundSerializer
from invoices.selectors import invoice_get

from .. import services
from ..selectors import payment_get
from .serializers import (
    PaymentCreateSerializer,
    RecordedPaymentSerializer,
    RecordedRefundSerializer,
    RefundCreateSerializer,
)


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

    @extend_schema(responses={200: PaymentSerializer(many=True)})
    def get(self, request, invoice_id):
        payments = self._invoice(invoice_id).payments.all()
        return Response(PaymentSerializer(payments, many=True).data)

    @extend_schema(
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


class KeyRequired(APIException):
    status_code = 400
    default_detail = "A refund needs an Idempotency-Key header: a retry must not refund twice."


# The key is required here: a refund retried without one could give money back twice.
KEY_REQUIRED = OpenApiParameter(
    HEADER.name,
    HEADER.type,
    HEADER.location,
    required=True,
    pattern=HEADER.pattern,
    description=HEADER.description,
)


class PaymentRefundsView(InvoicesFaceView, APIView):
    """``GET``: the payment's refunds. ``POST``: refund (part of) it."""

    permission_classes = [IsAuthenticated, UsesFace, HasPerms]

    @property
    def required_perms(self):
        view = ["invoices.view_invoice", "payments.view_payment", "payments.view_refund"]
        return view if self.request.method in ("GET", "HEAD") else [*view, "payments.add_refund"]

    def _payment(self, payment_id):
        payment = payment_get(user=self.request.user, pk=path_id(payment_id))
        if payment is None:
            raise Http404
        return payment

    @extend_schema(responses={200: RefundSerializer(many=True)})
    def get(self, request, payment_id):
        return Response(RefundSerializer(self._payment(payment_id).refunds.all(), many=True).data)

    @extend_schema(
        parameters=[KEY_REQUIRED],
        request=RefundCreateSerializer,
        responses={201: RecordedRefundSerializer},
    )
    @idempotent
    def post(self, request, payment_id):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            raise KeyRequired()
        payment = self._payment(payment_id)
        serializer = RefundCreateSerializer(
            data=request.data, context={"currency": payment.currency}
        )
        serializer.is_valid(raise_exception=True)
        refund = services.payment_refund(
            payment_id=payment.pk,
            created_by=request.user,
            idempotency_key=key,
            **serializer.validated_data,
        )
        return Response(RecordedRefundSerializer(refund).data, status=status.HTTP_201_CREATED)
