"""Usage reporting (document 001): ``POST /api/v1/usage`` records usage,
``POST /api/v1/usage/report`` sums a period's. Document 001's face, so its
permission (``api.use_invoices``), rate and error shape, on the reports app's data.
Costs are JSON numbers with at least two places (``0.50``), as the document shows."""

from decimal import Decimal

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from billing_site.api.fields import (
    MAX_ID,
    IdField,
    StrictCharField,
    StrictDateField,
    StrictDateTimeField,
    StrictDecimalField,
    StrictIntegerField,
)
from billing_site.api.numbers import NumberJSONRenderer
from billing_site.api.permissions import HasPerms, UsesFace
from billing_site.money import EXACT_DIGITS, format_min_places
from invoices.api.errors import error_body
from invoices.selectors import customer_list
from reports import selectors, services

COST_PLACES = 6  # as stored: exact in every database below 10 ** (15 - 6)


class UsageCostField(StrictDecimalField):
    """A usage cost: read with up to six decimal places, written as a JSON number
    with at least two (``0.50``), more only where the cost has them (``0.000125``)."""

    def __init__(self, **kwargs):
        super().__init__(
            max_digits=EXACT_DIGITS,
            decimal_places=COST_PLACES,
            min_value=Decimal(0),
            coerce_to_string=False,
            **kwargs,
        )

    def to_representation(self, value):
        return Decimal(format_min_places(Decimal(value)))


class UsageRecordSerializer(serializers.Serializer):
    """A usage record: what is posted and what is answered."""

    id = StrictIntegerField(read_only=True)
    customer_id = IdField(required=False, allow_null=True)
    resource_id = StrictCharField(max_length=128)
    resource_name = StrictCharField(max_length=200, required=False, allow_blank=True)
    service = StrictCharField(max_length=64)
    region = StrictCharField(max_length=64, required=False, allow_blank=True)
    start_time = StrictDateTimeField()
    end_time = StrictDateTimeField()
    duration = StrictIntegerField(
        min_value=0,
        max_value=MAX_ID,
        required=False,
        help_text="Seconds; from the times when left out.",
    )
    cost = UsageCostField()

    def validate(self, attrs):
        if attrs["end_time"] < attrs["start_time"]:
            raise serializers.ValidationError({"end_time": ["Must not be before start_time."]})
        if "duration" not in attrs:
            attrs["duration"] = int((attrs["end_time"] - attrs["start_time"]).total_seconds())
        return attrs


def usage_records_with_customers(records: list[dict], *, user) -> list[dict]:
    """The records with their ``customer_id`` turned into the customer, read in one
    query; raises the errors of the records that name a customer ``user`` may not see."""
    ids = {record["customer_id"] for record in records if record.get("customer_id") is not None}
    customers = customer_list(user=user).in_bulk(ids) if ids else {}
    errors = []
    for record in records:
        pk = record.pop("customer_id", None)
        if pk is not None and pk not in customers:
            errors.append({"customer_id": [f"Customer with ID {pk} not found"]})
            continue
        errors.append({})
        if pk is not None:
            record["customer"] = customers[pk]
    if any(errors):
        raise serializers.ValidationError(errors)
    return records


class UsageFiltersSerializer(serializers.Serializer):
    closed = True  # an unknown filter is a 400, not quietly no filter

    region = StrictCharField(max_length=64, required=False)
    service = StrictCharField(max_length=64, required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict) and set(data) - set(self.fields):
            unknown = ", ".join(sorted(set(data) - set(self.fields)))
            raise serializers.ValidationError(f"Unknown filter: {unknown}")
        return super().to_internal_value(data)


class UsageReportRequestSerializer(serializers.Serializer):
    start_date = StrictDateField()
    end_date = StrictDateField()
    filters = UsageFiltersSerializer(required=False)

    def validate(self, attrs):
        if attrs["start_date"] > attrs["end_date"]:
            raise serializers.ValidationError({"end_date": ["Must not be before start_date."]})
        return attrs


class UsageReportSerializer(serializers.Serializer):
    """The usage report: the request's period and filters, the records, their total."""

    start_date = StrictDateField()
    end_date = StrictDateField()
    filters = UsageFiltersSerializer()
    usage = UsageRecordSerializer(many=True)
    total_cost = UsageCostField()


class UsageFace:
    """Document 001's usage reporting: the invoices face's permission, throttle
    and error shape."""

    face = "invoices"
    permission_classes = [IsAuthenticated, UsesFace, HasPerms]
    renderer_classes = [NumberJSONRenderer]
    throttle_scope = "invoices"
    error_body = staticmethod(error_body)


class UsageRecordView(UsageFace, APIView):
    """``POST /api/v1/usage/``: record one usage record or a JSON array of them."""

    required_perms = ["reports.add_usagerecord"]

    @extend_schema(request=UsageRecordSerializer, responses={201: UsageRecordSerializer})
    def post(self, request):
        many = isinstance(request.data, list)
        limit = {"max_length": settings.MAX_ITEMS_PER_REQUEST} if many else {}
        serializer = UsageRecordSerializer(data=request.data, many=many, **limit)
        serializer.is_valid(raise_exception=True)
        try:
            records = usage_records_with_customers(
                serializer.validated_data if many else [serializer.validated_data],
                user=request.user,
            )
        except ValidationError as exc:
            raise ValidationError(exc.detail if many else exc.detail[0]) from None
        rows = services.usage_record_many(records=records)
        data = UsageRecordSerializer(rows, many=True).data
        return Response(data if many else data[0], status=status.HTTP_201_CREATED)


class UsageReportView(UsageFace, APIView):
    """``POST /api/v1/usage/report``: the usage of a period, optionally of one
    region and service, with its total cost summed exactly."""

    required_perms = ["reports.view_usagerecord"]

    @extend_schema(request=UsageReportRequestSerializer, responses={200: UsageReportSerializer})
    def post(self, request):
        serializer = UsageReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        filters = data.get("filters", {})
        try:
            usage, total = selectors.usage_report(
                user=request.user,
                start_date=data["start_date"],
                end_date=data["end_date"],
                **filters,
            )
        except selectors.TooManyRecords as exc:
            raise ValidationError(str(exc)) from None
        report = {
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "filters": filters,
            "usage": usage,
            "total_cost": total,
        }
        return Response(UsageReportSerializer(report).data)
