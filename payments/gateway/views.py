"""The payment-gateway face (document 000): check and settle a billing record,
and list every record."""

from django.db import transaction
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.middleware import log_with_commit
from billing_site.api.filters import check_query_params
from billing_site.api.idempotency import idempotent
from billing_site.api.parsers import AnyTypeJSONParser
from billing_site.api.permissions import UsesFace
from billing_site.api.responses import rendered
from billing_site.errors import ConflictError

from . import errors
from .renderers import billing_records_json
from .selectors import billing_record_batches, billing_record_by_reference
from .serializers import (
    CHECKED,
    LISTED,
    PAID,
    BillingRecordSerializer,
    BillingReferenceSerializer,
    billing_record,
    given_reference,
)
from .services import billing_record_settle

_ERRORS = {code: errors.GatewayErrorSerializer for code in (400, 401, 403, 404, 405, 429)}


class GatewayView(APIView):
    """The gateway's permission (``api.use_gateway``) is all a view asks: which
    records a user reaches is its customer scope, and paying one goes through
    the payment services."""

    face = "gateway"
    permission_classes = [IsAuthenticated, UsesFace]
    parser_classes = [AnyTypeJSONParser]
    throttle_scope = "gateway"
    error_body = staticmethod(errors.error_body)

    def not_found(self):
        return Response(errors.error_body(errors.NOT_FOUND, 404), status=404)

    def reference(self, request) -> dict:
        """The record's ``order_id`` and ``number`` the body gives."""
        reference = given_reference(request.data)
        if reference is None:
            serializer = BillingReferenceSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            reference = serializer.validated_data
        return reference


_GATEWAY_SCHEMA = dict(
    request=BillingReferenceSerializer,
    responses={200: BillingRecordSerializer, **_ERRORS},
)


class CheckPaymentStatusView(GatewayView):
    @extend_schema(**_GATEWAY_SCHEMA)
    def post(self, request):
        row = billing_record_by_reference(user=request.user, **self.reference(request))
        if row is None:
            return self.not_found()
        return rendered(self, request, billing_record(row, CHECKED))


class UpdatePaymentStatusView(GatewayView):
    @extend_schema(**_GATEWAY_SCHEMA)
    @idempotent
    def post(self, request):
        # The answer is made before the payment commits, so that its log row can
        # commit with the payment (``log_with_commit``).
        with transaction.atomic():
            try:
                row = billing_record_settle(user=request.user, **self.reference(request))
            except ConflictError as exc:
                # Gateway clients know 400 for every refused update.
                return Response(errors.error_body(exc.message, 400), status=400)
            if row is None:
                return self.not_found()
            response = rendered(self, request, billing_record(row, PAID))
            log_with_commit(request, response)
        return response


class GetAllBillingView(GatewayView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=["paid", "unpaid", "overdue"],
                required=False,
                description="overdue: the unpaid records due before today (still paymentStatus "
                "unpaid).",
            )
        ],
        responses={200: BillingRecordSerializer(many=True), **_ERRORS},
    )
    def get(self, request):
        check_query_params(request, {"status"})
        status = request.query_params.get("status")
        if status not in (None, "paid", "unpaid", "overdue"):
            raise ValidationError("status must be paid, unpaid or overdue")
        batches = billing_record_batches(user=request.user, status=status)
        return StreamingHttpResponse(
            billing_records_json(batches, LISTED), content_type="application/json"
        )
