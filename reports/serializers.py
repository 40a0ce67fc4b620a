"""Shapes of the reports face (document 003) and of usage reporting (document 001)."""

import itertools
from collections.abc import Iterable
from decimal import Decimal
from operator import itemgetter

from django.conf import settings
from rest_framework import serializers

from billing_site.api.amounts import AmountField, check_precision
from billing_site.api.fields import (
    MAX_ID,
    IdField,
    StrictCharField,
    StrictDateField,
    StrictDateTimeField,
    StrictIntegerField,
    StrictModelSerializer,
)
from billing_site.money import amount_limit, format_amount, format_min_places, from_minor, to_minor
from invoices.selectors import customer_get, customer_list

from .models import BillingReport, Order, Service
from .renderers import ReportCSVRenderer, ReportPDFRenderer

OUTPUT_FORMATS = ("json", "csv", "pdf", "dict")
# One service cost stays below this, so a report's sum in cents fits a 64-bit integer.
MAX_SERVICE_COST = Decimal(10) ** 9
DOWNLOAD_FORMATS = ("csv", "json", "pdf")
RENDERERS = {"csv": ReportCSVRenderer, "pdf": ReportPDFRenderer}


# --- data in -----------------------------------------------------------------


class ServiceSerializer(StrictModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "name", "created_at"]
        read_only_fields = ["id", "created_at"]


class ServiceCostInputSerializer(serializers.Serializer):
    service_id = IdField()
    amount = AmountField()


class OrderInputSerializer(serializers.Serializer):
    """One order; posted as a list, many, all or none (see OrderBatchSerializer)."""

    customer_id = IdField()
    reference_number = StrictCharField(max_length=64)
    order_date = StrictDateField()
    service_costs = ServiceCostInputSerializer(
        many=True, max_length=settings.MAX_SERVICE_COSTS_PER_REQUEST
    )

    def validate(self, attrs):
        currency = settings.DEFAULT_CURRENCY
        for index, cost in enumerate(attrs["service_costs"]):
            if cost["amount"] >= MAX_SERVICE_COST:
                raise serializers.ValidationError(
                    {"service_costs": {index: {"amount": [f"Must be below {MAX_SERVICE_COST:,}."]}}}
                )
            try:
                check_precision(cost, currency, ("amount",))
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({"service_costs": {index: exc.detail}}) from None
        services = [cost["service_id"] for cost in attrs["service_costs"]]
        if len(services) != len(set(services)):
            raise serializers.ValidationError({"service_costs": ["A service appears twice."]})
        return attrs


class OrderBatchSerializer(serializers.ListSerializer):
    """Many orders, checked together with one query per kind of object they name:
    at most MAX_ITEMS_PER_REQUEST of them, with MAX_SERVICE_COSTS_PER_REQUEST
    service costs in all (counted before any is read)."""

    def to_internal_value(self, data):
        if isinstance(data, list):
            costs = sum(
                len(order["service_costs"])
                for order in data
                if isinstance(order, dict) and isinstance(order.get("service_costs"), list)
            )
            if costs > settings.MAX_SERVICE_COSTS_PER_REQUEST:
                raise serializers.ValidationError(
                    {
                        "service_costs": [
                            f"At most {settings.MAX_SERVICE_COSTS_PER_REQUEST} service costs"
                            f" in one request, not {costs}."
                        ]
                    }
                )
        return super().to_internal_value(data)

    def resolve(self) -> list[dict]:
        """The valid orders with their customer and (service, cents) costs; raises
        a list of per-order errors when any order names what does not exist."""
        attrs = self.validated_data
        customers = customer_list(user=self.context["request"].user).in_bulk(
            {order["customer_id"] for order in attrs}
        )
        services = Service.objects.in_bulk(
            {cost["service_id"] for order in attrs for cost in order["service_costs"]}
        )
        keys = [(order["customer_id"], order["reference_number"]) for order in attrs]
        taken = set(
            Order.objects.filter(
                customer_id__in={key[0] for key in keys},
                reference_number__in={key[1] for key in keys},
            ).values_list("customer_id", "reference_number")
        )
        errors, seen = [], set()
        for order, key in zip(attrs, keys, strict=True):
            error = {}
            if order["customer_id"] not in customers:
                error["customer_id"] = [f"Customer with ID {order['customer_id']} not found"]
            missing = [
                c["service_id"] for c in order["service_costs"] if c["service_id"] not in services
            ]
            if missing:
                error["service_costs"] = [f"Service with ID {pk} not found" for pk in missing]
            if key in taken or key in seen:
                error["reference_number"] = ["The customer has an order with this reference."]
            seen.add(key)
            errors.append(error)
        if any(errors):
            raise serializers.ValidationError(errors)
        currency = settings.DEFAULT_CURRENCY
        for order in attrs:
            order["customer"] = customers[order.pop("customer_id")]
            order["costs"] = [
                (services[cost["service_id"]], to_minor(cost["amount"], currency))
                for cost in order.pop("service_costs")
            ]
        return attrs


class OrderServiceCostSerializer(serializers.Serializer):
    service_id = StrictIntegerField()
    service_name = StrictCharField(source="service.name")
    amount = serializers.SerializerMethodField()

    def get_amount(self, cost) -> str:
        return minor_amount(cost.amount_minor, settings.DEFAULT_CURRENCY)


class OrderSerializer(StrictModelSerializer):
    customer_id = StrictIntegerField()
    total_amount = serializers.SerializerMethodField()
    service_costs = OrderServiceCostSerializer(many=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "customer_id",
            "reference_number",
            "order_date",
            "total_amount",
            "service_costs",
            "created_at",
        ]

    def get_total_amount(self, order) -> str:
        total = sum(cost.amount_minor for cost in order.service_costs.all())
        return minor_amount(total, settings.DEFAULT_CURRENCY)


# --- reports -------------------------------------------------------------------


def minor_amount(minor: int, currency: str) -> str:
    return format_amount(from_minor(minor, currency), currency)


class ReportSerializer(StrictModelSerializer):
    """A report in the list (and the head of its detail)."""

    customer_name = StrictCharField(source="customer.name")
    total_amount = AmountField()

    class Meta:
        model = BillingReport
        fields = [
            "id",
            "customer_id",
            "customer_name",
            "start_date",
            "end_date",
            "created_at",
            "total_amount",
            "order_count",
            "currency",
        ]


class ServiceCostSerializer(serializers.Serializer):
    service_id = StrictIntegerField()
    service_name = StrictCharField()
    amount = StrictCharField()


class ReportOrderSerializer(serializers.Serializer):
    order_id = StrictIntegerField()
    reference_number = StrictCharField()
    order_date = StrictDateField()
    total_amount = StrictCharField()
    service_costs = ServiceCostSerializer(many=True)


class ServiceTotalSerializer(serializers.Serializer):
    service_name = StrictCharField()
    amount = StrictCharField()


class ReportDetailSerializer(ReportSerializer):
    """Documents the detail shape; ``report_body()`` builds it from the lines."""

    service_totals = serializers.DictField(child=ServiceTotalSerializer())
    orders = ReportOrderSerializer(many=True)

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "service_totals", "orders"]


def report_body(report: BillingReport, lines: Iterable[dict]) -> dict:
    """The report detail of document 003, from its frozen lines (ordered by order)."""
    currency = report.currency
    orders = []
    for order_id, group in itertools.groupby(lines, key=itemgetter("order_id")):
        costs = list(group)
        orders.append(
            {
                "order_id": order_id,
                "reference_number": costs[0]["reference_number"],
                "order_date": costs[0]["order_date"].isoformat(),
                "total_amount": minor_amount(sum(cost["amount_minor"] for cost in costs), currency),
                "service_costs": [
                    {
                        "service_id": cost["service_id"],
                        "service_name": cost["service_name"],
                        "amount": minor_amount(cost["amount_minor"], currency),
                    }
                    for cost in costs
                ],
            }
        )
    service_totals = {
        service_id: {
            "service_name": total["service_name"],
            "amount": minor_amount(total["amount_minor"], currency),
        }
        for service_id, total in report.service_totals.items()
    }
    return {**ReportSerializer(report).data, "service_totals": service_totals, "orders": orders}


class GenerateReportSerializer(serializers.Serializer):
    customer_id = IdField()
    start_date = StrictDateField()
    end_date = StrictDateField()
    output_format = StrictCharField(default="json")

    def validate(self, attrs):
        # Document 003's own messages, as the whole "error".
        if attrs["output_format"] not in OUTPUT_FORMATS:
            raise serializers.ValidationError(f"Invalid format: {attrs['output_format']}")
        if attrs["start_date"] > attrs["end_date"]:
            raise serializers.ValidationError("Start date must be before end date")
        if (attrs["end_date"] - attrs["start_date"]).days + 1 > settings.REPORT_MAX_DAYS:
            raise serializers.ValidationError(
                f"A report may span at most {settings.REPORT_MAX_DAYS} days"
            )
        customer = customer_get(user=self.context["request"].user, pk=attrs["customer_id"])
        if customer is None:
            raise serializers.ValidationError(f"Customer with ID {attrs['customer_id']} not found")
        attrs["customer"] = customer
        return attrs


class CustomerSummarySerializer(serializers.Serializer):
    customer_id = StrictIntegerField()
    customer_name = StrictCharField(source="customer__name")
    report_count = StrictIntegerField()
    total_amount = serializers.SerializerMethodField()
    currency = StrictCharField()
    first_report = StrictDateTimeField()
    latest_report = StrictDateTimeField()

    def get_total_amount(self, row) -> str:
        return minor_amount(row["total_minor"], row["currency"])


# --- usage -------------------------------------------------------------------------


class UsageCostField(AmountField):
    """A usage cost: up to six decimal places, written with at least two."""

    places = 6

    def to_internal_value(self, data):
        cost = super().to_internal_value(data)
        if cost != cost.quantize(Decimal(1).scaleb(-self.places)):
            raise serializers.ValidationError(f"At most {self.places} decimal places.")
        # Stored with six places: below this it stays exact in every database.
        if cost >= amount_limit(self.places):
            raise serializers.ValidationError(f"Must be below {amount_limit(self.places):,}.")
        return cost

    def get_attribute(self, instance):
        return serializers.Field.get_attribute(self, instance)

    def to_representation(self, value):
        return format_min_places(value)


class UsageRecordSerializer(serializers.Serializer):
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
    start_date = StrictDateField()
    end_date = StrictDateField()
    filters = UsageFiltersSerializer()
    usage = UsageRecordSerializer(many=True)
    total_cost = StrictCharField()
