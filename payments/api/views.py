"""Payments of one invoice, and refunds of one payment, on the invoices face."""

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
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


class KeyRequired(APIException):
    status_code = 400
    default_detail = "A refund needs an Idempotency-Key header: a retry must not refund twice."


_REFUND_DESCRIPTION = """Give back part or all of a payment: at most what is left of it
(`refundable`), else 400. Needs an `Idempotency-Key` header (400 without one): a retry
with the same key and body gets the first answer again (`Idempotent-Replayed: true`);
the key with another body is a 422. A payment made through the sandbox provider (the
bill pages) is refunded through the sandbox's refund call (`provider`, `reference`,
`provider_status` are its answer); any other payment's refund is recorded as money
given back outside the service. The invoice's `amount_paid` falls by the refund and its
`balance` rises; a paid invoice is open again. The invoice's status on this face is then
`refunded` (nothing of what was paid is kept) or `partially_refunded`. An invoice neither
open nor paid is a 409."""


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

    @extend_schema(
        tags=["invoices"],
        summary="The refunds of a payment",
        responses={200: RefundSerializer(many=True)},
    )
    def get(self, request, payment_id):
        return Response(RefundSerializer(self._payment(payment_id).refunds.all(), many=True).data)

    @extend_schema(
        tags=["invoices"],
        summary="Refund a payment in full or in part",
        description=_REFUND_DESCRIPTION,
        parameters=[KEY_REQUIRED],
        request=RefundCreateSerializer,
        responses={201: RecordedRefundSerializer},
        examples=[
            OpenApiExample(
                "A partial refund",
                value={"amount": "25.00", "reason": "Damaged item returned"},
                request_only=True,
            ),
            OpenApiExample(
                "Refunded",
                value={
                    "id": 7,
                    "payment_id": 42,
                    "date": "2026-12-06T11:20:00Z",
                    "amount": 25.00,
                    "currency": "USD",
                    "reason": "Damaged item returned",
                    "provider": "sandbox",
                    "reference": "sandbox-refund-5f0c9d2e7a1b4c3d8e9f0a1b2c3d4e5f",
                    "provider_status": "succeeded",
                    "payment": {
                        "id": 42,
                        "amount": 100.00,
                        "amount_refunded": 25.00,
                        "refundable": 75.00,
                    },
                    "invoice": {
                        "id": 9,
                        "number": "INV-000009",
                        "status": "partially_refunded",
                        "total": 100.00,
                        "amount_paid": 75.00,
                        "balance": 25.00,
                    },
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
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
