"""Amounts in requests: a decimal string or a JSON number, read exactly (never
through ``float``), and no more precise than the currency allows."""

from decimal import Decimal, InvalidOperation

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing_site.api.fields import ASCII_DIGITS_ONLY
from billing_site.money import MAX_AMOUNT, MoneyError, format_amount, parse_amount

# Sent as a decimal string or a JSON number. A currency may allow fewer places
# than four (USD two, JPY none): more is a 400.
AMOUNT_SCHEMA = {
    "oneOf": [
        {"type": "string", "format": "decimal", "pattern": r"^[0-9]{1,15}(\.[0-9]{1,4})?$"},
        {"type": "number", "minimum": 0, "maximum": int(MAX_AMOUNT) - 1},
    ],
    "example": "100.00",
}


@extend_schema_field(AMOUNT_SCHEMA)
class AmountField(serializers.Field):
    """Money: read as a decimal string or number (never a float), written as a
    decimal string with the currency's places. ``currency_source`` is the dotted
    path from the object to its currency."""

    default_error_messages = {"invalid": "Must be a decimal number sent as a string or number."}

    def __init__(self, currency_source="currency", **kwargs):
        self.currency_source = currency_source
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, (bool, float)) or not isinstance(data, (str, int, Decimal)):
            self.fail("invalid")
        if isinstance(data, str) and not data.isascii():  # Decimal("\u0661") is 1
            raise serializers.ValidationError(ASCII_DIGITS_ONLY)
        try:
            amount = Decimal(str(data).strip())
        except InvalidOperation:
            self.fail("invalid")
        if not amount.is_finite() or amount < 0:
            raise serializers.ValidationError("Must be a finite amount, zero or more.")
        if amount >= MAX_AMOUNT:
            raise serializers.ValidationError(f"Must be below {MAX_AMOUNT:,}.")
        return amount

    def get_attribute(self, instance):
        currency = instance
        for part in self.currency_source.split("."):
            currency = getattr(currency, part)
        return super().get_attribute(instance), currency

    def to_representation(self, value):
        amount, currency = value
        return format_amount(amount, currency)


def check_precision(attrs: dict, currency: str, fields: tuple[str, ...]) -> None:
    """Refuse amounts more precise than the currency allows, naming the field."""
    errors = {}
    for field in fields:
        if attrs.get(field) is not None:
            try:
                parse_amount(attrs[field], currency)
            except MoneyError as exc:
                errors[field] = [str(exc)]
    if errors:
        raise serializers.ValidationError(errors)
