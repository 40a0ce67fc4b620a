"""The bills face (document 004): collections and their bills, and the payment
notifications (callbacks) that pay bills."""

import re
from functools import cached_property

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from billing_site.api.idempotency import idempotent
from billing_site.api.pagination import LengthAwarePagination
from billing_site.api.parsers import AnyTypeJSONParser
from billing_site.api.permissions import ModelPermissions
from billing_site.money import format_amount
from invoices.permissions import SharedObjectWrites

from . import selectors, services
from .filters import BillFilter
from .models import Bill
from .serializers import (
    INCLUDES,
    BillCreateSerializer,
    BillDocSerializer,
    BillUpdateSerializer,
    CollectionSerializer,
    bill_body,
)

BILLS_ERROR = inline_serializer(
    "BillsError",
    {
        "message": serializers.CharField(),
        "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    },
)
_ERRORS = {code: BILLS_ERROR for code in (400, 401, 403, 404, 409, 422, 429)}
_ONE_INCLUDE = "|".join(re.escape(name) for name in INCLUDES)
INCLUDE_PARAMETER = OpenApiParameter(
    "include",
    OpenApiTypes.STR,
    required=False,
    pattern=f"^(({_ONE_INCLUDE})(,({_ONE_INCLUDE}))*)?$",
    description=f"Comma-separated, of: {', '.join(INCLUDES)}",
)


def dotted(detail, prefix: str = "") -> dict[str, list[str]]:
    """Nested errors under Laravel's dotted names, each a list of messages:
    ``{"product": [{}, {"price": [...]}]}`` becomes ``{"product.1.price": [...]}``;
    a nested object's own errors go under its name."""
    if isinstance(detail, dict):
        parts = detail.items()
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        parts = enumerate(detail)
    else:
        return {
            prefix: [str(item) for item in detail] if isinstance(detail, list) else [str(detail)]
        }
    errors: dict[str, list[str]] = {}
    for key, value in parts:
        own = key == "non_field_errors" and prefix
        name = prefix if own else ".".join(filter(None, (prefix, str(key))))
        for field, messages in dotted(value, name).items():
            errors.setdefault(field, []).extend(messages)
    return errors


class Unprocessable(APIException):
    status_code = 422
    default_detail = "The given data was invalid."


class BillsFace:
    """Errors as ``{"message": ..., "errors": {field: [...]}}``. A body that fails
    validation is a 422; a bad query parameter (include, filter) a 400."""

    permission_classes = [IsAuthenticated, ModelPermissions]
    throttle_scope = "bills"

    def error_body(self, message, status_code=None, detail=None):
        errors = detail if isinstance(detail, dict) else {}
        errors = {key: value for key, value in errors.items() if key != "detail"}
        return {"message": message, "errors": dotted(errors)}

    def valid(self, serializer):
        if not serializer.is_valid():
            raise Unprocessable(serializer.errors)
        return serializer.validated_data

    def includes(self) -> frozenset:
        raw = self.request.query_params.get("include", "")
        names = frozenset(name.strip() for name in raw.split(",") if name.strip())
        unknown = sorted(names - set(INCLUDES))
        if unknown:
            raise ValidationError({"include": [f"Unknown include: {', '.join(unknown)}"]})
        return names


@extend_schema(tags=["bills"])
class CollectionViewSet(
    BillsFace,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [*BillsFace.permission_classes, SharedObjectWrites]
    serializer_class = CollectionSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    queryset = selectors.collection_list()

    def perform_create(self, serializer):
        serializer.instance = services.collection_create(**serializer.validated_data)


@extend_schema(tags=["bills"], parameters=[INCLUDE_PARAMETER])
class BillViewSet(BillsFace, viewsets.GenericViewSet):
    """Bills of one collection, found by their bill number."""

    filterset_class = BillFilter
    pagination_class = LengthAwarePagination
    extra_query_params = ("include", "per_page")
    lookup_field = "bill_no"
    lookup_value_regex = "[^/]+"
    serializer_class = BillDocSerializer

    @cached_property
    def collection(self):
        return get_object_or_404(selectors.collection_list(), code=self.kwargs["code"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no collection
            return Bill.objects.none()
        return selectors.bill_list(user=self.request.user, collection=self.collection)

    def _bill(self):
        bill = self.get_queryset().filter(bill_no=self.kwargs["bill_no"]).first()
        if bill is None:
            raise NotFound("Bill not found.")
        return bill

    def _respond(self, bill, includes):
        fresh = self.get_queryset().get(pk=bill.pk)
        return Response(bill_body(fresh, self.request, includes))

    @extend_schema(responses={200: BillDocSerializer(many=True), **_ERRORS})
    def list(self, request, code=None):
        includes = self.includes()
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([bill_body(bill, request, includes) for bill in page])

    @extend_schema(request=BillCreateSerializer, responses={200: BillDocSerializer, **_ERRORS})
    @idempotent
    def create(self, request, code=None):
        includes = self.includes()
        data = self.valid(BillCreateSerializer(data=request.data))
        bill = services.bill_create(
            collection=self.collection,
            due=data["due"],
            ref1=data["ref1"],
            ref2=data["ref2"],
            currency=data["currency"],
            customer=data["customer"],
            products=data["product"],
            created_by=request.user,
        )
        return self._respond(bill, includes)

    @extend_schema(responses={200: BillDocSerializer, **_ERRORS})
    def retrieve(self, request, code=None, bill_no=None):
        return Response(bill_body(self._bill(), request, self.includes()))

    @extend_schema(request=BillUpdateSerializer, responses={200: BillDocSerializer, **_ERRORS})
    @idempotent
    def partial_update(self, request, code=None, bill_no=None):
        includes = self.includes()
        bill = self._bill()
        data = self.valid(BillUpdateSerializer(data=request.data))
        bill = services.bill_update(bill=bill, **data)
        return self._respond(bill, includes)


PROVIDER_PATTERN = "^[a-z0-9_-]{1,32}$"


@extend_schema(tags=["bills"])
class PaymentCallbackView(APIView):
    """A payment provider's notification for a bill. No token: the HMAC-SHA256
    ``signature`` with the collection's secret proves the sender. A bad signature
    is a 401 and records nothing; the same ``ref_id`` twice records once."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [AnyTypeJSONParser]
    throttle_scope = "bills"

    def error_body(self, message, status_code=None, detail=None):
        return {"message": message, "errors": {}}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "provider", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=PROVIDER_PATTERN
            )
        ],
        request=inline_serializer(
            "PaymentNotification",
            {
                "bill_no": serializers.CharField(),
                "amount": serializers.CharField(),
                "currency": serializers.CharField(),
                "ref_id": serializers.CharField(),
                "paid": serializers.BooleanField(),
                "status": serializers.CharField(),
                "signature": serializers.CharField(),
            },
        ),
        responses={
            200: inline_serializer(
                "PaymentNotificationResult",
                {
                    "message": serializers.CharField(),
                    "bill_no": serializers.CharField(),
                    "payment_id": serializers.IntegerField(allow_null=True),
                    "balance": serializers.CharField(),
                    "paid": serializers.BooleanField(),
                },
            ),
            **_ERRORS,
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
        return Response(
            {
                "message": message,
                "bill_no": bill.bill_no,
                "payment_id": payment.pk if payment else None,
                "balance": format_amount(bill.invoice.balance, bill.invoice.currency),
                "paid": bill.invoice.status == "paid",
            },
            status=status.HTTP_200_OK,
        )
