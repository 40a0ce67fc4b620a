"""Payment providers' notifications (callbacks) that pay bills."""

import re
from types import SimpleNamespace

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from billing_site.api.parsers import AnyTypeJSONParser

from .. import services
from . import selectors
from .errors import ErrorSerializer, error_body
from .fields import AmountField

PROVIDER_PATTERN = "^[a-z0-9_-]{1,32}$"
NOTIFICATION_SCHEMA = {
    "type": "object",
    "properties": {
        "bill_no": {"type": "string"},
        "amount": {"type": "string", "format": "decimal"},
        "currency": {"type": "string"},
        "ref_id": {"type": "string"},
        "paid": {"type": "boolean"},
        "status": {"type": "string"},
        "signature": {"type": "string", "description": "hex HMAC-SHA256, see the README"},
    },
    "required": ["bill_no", "amount", "currency", "ref_id", "paid", "status", "signature"],
}


class NotificationResultSerializer(serializers.Serializer):
    message = serializers.CharField()
    bill_no = serializers.CharField()
    payment_id = serializers.IntegerField(source="payment.pk", allow_null=True)
    balance = AmountField(source="bill.invoice.balance", currency_source="bill.invoice.currency")
    paid = serializers.BooleanField(source="bill.paid")


class PaymentCallbackView(APIView):
    """A payment provider's notification for a bill. No token and no user, so
    no face permission: the HMAC-SHA256 ``signature`` with the collection's
    secret proves the sender. A bad signature is a 401 and records nothing; the
    same ``ref_id`` twice records once."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [AnyTypeJSONParser]
    throttle_scope = "bills"
    error_body = staticmethod(error_body)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "provider", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=PROVIDER_PATTERN
            )
        ],
        request={"application/json": NOTIFICATION_SCHEMA},
        responses={
            200: NotificationResultSerializer,
            **{code: ErrorSerializer for code in (400, 401, 404, 409, 429)},
        },
    )
    def post(self, request, provider):
        # Matched here rather than in the route, so a stranger name gets this
        # face's 404 body.
        if not re.fullmatch(PROVIDER_PATTERN, provider):
            raise NotFound("Unknown payment provider.")
        if not isinstance(request.data, dict):
            raise ValidationError("The body must be a JSON object.")
        payment, created = services.bill_payment_notification(
            provider=provider, payload=request.data
        )
        bill = selectors.bill_with_invoice(str(request.data["bill_no"]))  # its balance now
        message = (
            "Payment recorded."
            if created
            else "Payment already recorded."
            if payment
            else "Nothing to record."
        )
        result = SimpleNamespace(message=message, bill_no=bill.bill_no, payment=payment, bill=bill)
        return Response(NotificationResultSerializer(result).data)
