"""Output fields of the bills face: each writes a value as document 004 shows
it and tells the schema so."""

from decimal import Decimal
from operator import attrgetter

from django.utils import timezone
from drf_spectacular.plumbing import list_hash
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField

from billing_site.api.numbers import NumberField
from billing_site.money import format_amount, format_min_places
from invoices.models import STATUS_IDS

from ..models import Bill
from ..recurrence import NAMES

# A bill's status as a number: the invoice's client status, "void" cancelled,
# numbered as on every face.
STATUS_NUMBERS = {status: int(number) for status, number in STATUS_IDS.items()}


@extend_schema_field({"type": "string", "example": "2020-06-25 14:21:44"})
class LocalTimeField(serializers.DateTimeField):
    """A time as ``YYYY-MM-DD HH:MM:SS`` in the service's time zone (TIME_ZONE:
    no request activates another, and asking for the current one per value is
    most of the cost of a bill of a thousand products)."""

    def to_representation(self, value):
        if value is None:
            return None
        return f"{value.astimezone(timezone.get_default_timezone()):%Y-%m-%d %H:%M:%S}"


@extend_schema_field({"type": "string", "format": "decimal", "example": "134.00"})
class AmountField(serializers.Field):
    """Money as the document writes it: a decimal string with the currency's
    places (``"134.00"``), the currency found at ``currency_source`` (dotted)."""

    def __init__(self, *, currency_source: str, **kwargs):
        super().__init__(**kwargs)
        self.currency_of = attrgetter(currency_source)

    def get_attribute(self, instance):
        return super().get_attribute(instance), self.currency_of(instance)

    def to_representation(self, value):
        amount, currency = value
        return format_amount(amount, currency) if currency else f"{amount:f}"


@extend_schema_field({"type": "number", "example": 10.0})
class QuantityField(NumberField):
    """A quantity as a JSON number, exact and with at least one decimal place as
    the document shows it (``10.0``, ``2.5``, ``0.125``)."""

    def to_representation(self, value):
        return None if value is None else Decimal(format_min_places(Decimal(value), 1))


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": 1})
class FlagField(serializers.BooleanField):
    """A yes/no written as the document does: ``1`` or ``0``."""

    def to_representation(self, value):
        return int(bool(value))


# The status codes of document 004 and what each means.
STATUS_CODES = [(1, "draft"), (2, "open"), (3, "partially paid"), (4, "paid"), (5, "cancelled")]


@extend_schema_field(
    {
        "type": "integer",
        "enum": [code for code, _ in STATUS_CODES],
        "description": ", ".join(f"{code} {name}" for code, name in STATUS_CODES) + ".",
        # Hashed with the meanings, so that the enum is not merged with the
        # recurrence's, whose codes are the same numbers.
        "x-spec-enum-id": list_hash(STATUS_CODES),
    }
)
class StatusField(serializers.CharField):
    """1 draft, 2 open, 3 partially paid, 4 paid, 5 cancelled."""

    def to_representation(self, value):
        return STATUS_NUMBERS[value]


class BlankAsNullField(serializers.CharField):
    """Text that is ``null`` when there is none, as the document shows it."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


RECURRING_CODES = ", ".join(f"{choice.value} {choice.label}" for choice in Bill.Recurring)


@extend_schema_field(
    {
        "type": "integer",
        "enum": [*Bill.Recurring.values, None],
        "nullable": True,
        "description": f"How often the bill repeats: {RECURRING_CODES}; null: it does not.",
        "example": None,
    }
)
class RecurringField(serializers.IntegerField):
    """A master's interval as its number (``3`` monthly); ``null`` on any other bill."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "enum": Bill.Recurring.values},
            {"type": "string", "enum": Bill.Recurring.labels},
        ],
        "nullable": True,
        "description": f"Makes the bill the master of a series: {RECURRING_CODES} "
        "(the number or the name).",
        "example": 3,
    }
)
class RecurringInputField(serializers.Field):
    """An interval as its number or its name (``3`` or ``"monthly"``), nothing
    else: not ``"3"``, ``3.0``, ``true`` or ``"Monthly"``."""

    default_error_messages = {
        "invalid": f"Must be one of {RECURRING_CODES} (the number or the name).",
    }

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool) and data in Bill.Recurring.values:
            return data
        if isinstance(data, str) and data in NAMES:
            return NAMES[data]
        self.fail("invalid")


@extend_schema_field(OpenApiTypes.URI)
class PageUrlField(serializers.Field):
    """The absolute URL of one of the bill's pages, ``path_of(bill)`` on the
    server the request came to."""

    def __init__(self, path_of, **kwargs):
        super().__init__(source="*", **kwargs)
        self.path_of = path_of

    def to_representation(self, bill):
        return self.context["request"].build_absolute_uri(self.path_of(bill))


class IncludedMixin:
    """A part of the object shown only when ``?include=`` names it (the view
    puts the names in the context's ``includes``); optional in the schema."""

    def __init__(self, *, include: str, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.include = include

    def get_attribute(self, instance):
        if self.include not in self.context.get("includes", ()):
            raise SkipField
        return super().get_attribute(instance)
