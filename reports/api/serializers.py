"""What the reports face reads: services and orders (the data reports are
made of) and the request to generate a report. What it writes is in ``shapes``."""

from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing_site.api.fields import IdField, StrictCharField, StrictDateField, StrictModelSerializer
from billing_site.money import MoneyError, parse_amount, to_minor
from invoices.selectors import customer_get, customer_list
from reports.models import Order, Service

from .renderers import REPORT_RENDERERS

# "dict" is the document's other name for JSON.
OUTPUT_FORMATS = (*REPORT_RENDERERS, "dict")
# One service cost stays below this, so a report's sum in cents fits a 64-bit integer.
MAX_SERVICE_COST = Decimal(10) ** 9


class ServiceSerializer(StrictModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "name", "created_at"]
        read_only_fields = ["id", "created_at"]


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "format": "decimal", "pattern": r"^[0-9]{1,9}(\.[0-9]+)?$"},
            {
                "type": "number",
                "minimum": 0,
                "maximum": int(MAX_SERVICE_COST),
                "exclusiveMaximum": True,
            },
        ],
        "example": "500.25",
    }
)
class ServiceCostAmountField(serializers.Field):
    """A service cost in the default currency: a decimal string or a JSON number
    (read as a ``Decimal``, never a float), not negative, no more places than the
    currency has, below MAX_SERVICE_COST. A light field: an order batch holds
    thousands of them."""

    def to_internal_value(self, data):
        try:
            amount = parse_amount(data, settings.DEFAULT_CURRENCY)
        except MoneyError as exc:
            raise serializers.ValidationError(str(exc)) from None
        if amount >= MAX_SERVICE_COST:
            raise serializers.ValidationError(f"Must be below {MAX_SERVICE_COST:,}.")
        return amount


class ServiceCostInputSerializer(serializers.Serializer):
    service_id = IdField()
    amount = ServiceCostAmountField()


class OrderInputSerializer(serializers.Serializer):
    """One order; posted as a list, many, all or none (see OrderBatchSerializer)."""

    customer_id = IdField()
    reference_number = StrictCharField(max_length=64)
    order_date = StrictDateField()
    service_costs = ServiceCostInputSerializer(
        many=True, max_length=settings.MAX_SERVICE_COSTS_PER_REQUEST
    )

    def validate(self, attrs):
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


@extend_schema_field(
    {
        "type": "string",
        "enum": list(OUTPUT_FORMATS),
        "default": "json",
        "description": "The format of the answer: json, csv or pdf (dict: the same as json).",
    }
)
class OutputFormatField(StrictCharField):
    """``output_format``: read as text, so a format not offered gets document
    003's own message ("Invalid format: ...") from the serializer."""


class GenerateReportSerializer(serializers.Serializer):
    customer_id = IdField()
    start_date = StrictDateField()
    end_date = StrictDateField()
    output_format = OutputFormatField(default="json")

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


class StrictBooleanField(serializers.BooleanField):
    """``true`` or ``false`` as JSON writes them, not DRF's "yes", 1 or "on"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class BillReportSerializer(serializers.Serializer):
    """Billing a report (``POST /api/v2/reports/{id}/invoice``); the body may be
    empty. A field it does not know is refused, not ignored."""

    issue = StrictBooleanField(
        default=True,
        help_text="true (the default): the invoice is issued (open) at once, ready to send; "
        "false: a draft, issued later with POST /api/v1/invoices/{id}/issue.",
    )
    due_date = StrictDateField(
        required=False,
        help_text="The invoice's due date, not before today; by default "
        "REPORT_INVOICE_DUE_DAYS (30) days from today.",
    )

    def to_internal_value(self, data):
        names = sorted(set(data) - set(self.fields)) if isinstance(data, Mapping) else []
        unknown = {name: ["Unknown field."] for name in names}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:  # named with the fields at fault
            if unknown and isinstance(exc.detail, dict):
                exc.detail.update(unknown)
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value

    def validate_due_date(self, value):
        if value < timezone.localdate():
            raise serializers.ValidationError("Must not be before today.")
        return value
