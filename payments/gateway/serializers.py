"""The gateway's shapes (document 000): the reference a request names, and the
billing record it answers with, declared once."""

from decimal import Decimal
from functools import cached_property
from operator import itemgetter

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing_site.money import format_min_places

from .errors import REFERENCE_REQUIRED

# The messages of a found record, one per operation.
CHECKED = "successful"
PAID = "payment is successful"
LISTED = "retrieved successfully"

_REFERENCE_SCHEMA = {
    "oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "maxLength": 64}]
}


@extend_schema_field(_REFERENCE_SCHEMA)
class ReferenceField(serializers.Field):
    """An order id or billing number: a positive integer or a non-empty string.
    Zero, empty and null count as missing, as they did for existing clients."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str, Decimal)):
            self.fail("invalid")
        if isinstance(data, Decimal):
            # Checked before int(): int(Decimal("1e99999999")) would run for minutes.
            if not data.is_finite() or data.adjusted() >= 64:
                self.fail("invalid")
            if data != data.to_integral_value():
                self.fail("invalid")
            data = int(data)
        if isinstance(data, int):
            if not 0 <= data < 10**64:
                self.fail("invalid")
            return str(data) if data else ""
        text = data.strip()
        # Another script's digits ("\u0661") are no reference's: refused, not read as 1.
        if len(text) > 64 or any(
            not char.isprintable() or (char.isdigit() and not char.isascii()) for char in text
        ):
            self.fail("invalid")
        return text

    default_error_messages = {
        "invalid": "must be a positive integer or a string of up to 64 characters"
    }


# What a request must carry: a billing number and an order id under either
# name, each a positive integer or a visible string.
_GIVEN_REFERENCE = {
    "oneOf": [
        {"type": "integer", "minimum": 1, "maximum": 10**64 - 1},
        {"type": "string", "maxLength": 64, "pattern": "^ *[!-~][ -~]*$"},
    ]
}
REFERENCE_REQUEST_SCHEMA = {
    "type": "object",
    "properties": {
        "orderID": _GIVEN_REFERENCE,
        "orderId": {**_GIVEN_REFERENCE, "description": "Alias of orderID."},
        "billingNumber": _GIVEN_REFERENCE,
    },
    # One of orderID and orderId is required too: said in words, since client
    # generators turn an ``anyOf`` of ``required`` lists into an untyped body.
    "required": ["billingNumber"],
    "description": "The billing number and the order id, as orderID or orderId; "
    'without either: 400 "Order ID and Billing Number are required".',
}


class BillingReferenceSerializer(serializers.Serializer):
    """``{"orderID" (or "orderId"), "billingNumber"}``."""

    orderID = ReferenceField(required=False, allow_null=True)
    orderId = ReferenceField(required=False, allow_null=True, help_text="Alias of orderID.")
    billingNumber = ReferenceField(required=False, allow_null=True)

    def get_fields(self):
        # Made again from their arguments (constants) for each request, where DRF
        # deep-copies each field and argument: on the gateway's every call, that
        # copy cost more than the validation itself.
        return {
            name: type(field)(*field._args, **field._kwargs)
            for name, field in self._declared_fields.items()
        }

    def validate(self, attrs):
        order_id = attrs.get("orderID") or attrs.get("orderId")
        number = attrs.get("billingNumber")
        if not order_id or not number:
            raise serializers.ValidationError(REFERENCE_REQUIRED)
        return {"order_id": order_id, "number": number}


_REFERENCE_KEYS = ("orderID", "orderId", "billingNumber")


def _plain_reference(value) -> str | None:
    # What ReferenceField accepts of an integer or of ASCII text; None for the rest.
    if type(value) is int:
        return str(value) if 0 < value < 10**64 else None
    if type(value) is str:
        text = value.strip()
        if text and len(text) <= 64 and text.isascii() and text.isprintable():
            return text
    return None


def given_reference(data) -> dict | None:
    """``BillingReferenceSerializer``'s validated data for a well-formed body (its
    references integers or ASCII text), without building the serializer, as the
    gateway does on every call; None for any other body, whose serializer then
    says what is wrong (tests hold the two to the same answers)."""
    if type(data) is not dict:
        return None
    found = {}
    for key in _REFERENCE_KEYS:
        if key in data:
            found[key] = _plain_reference(data[key])
            if found[key] is None:
                return None
    order_id = found.get("orderID") or found.get("orderId")
    number = found.get("billingNumber")
    return {"order_id": order_id, "number": number} if order_id and number else None


class BillingReferenceSchema(OpenApiSerializerExtension):
    """The reference in the schema: a component of its own (``BillingReferenceRequest``)
    whose fields say what a request must carry, where the serializer's are all
    optional to answer the face's own message."""

    target_class = BillingReferenceSerializer

    def map_serializer(self, auto_schema, direction):
        return REFERENCE_REQUEST_SCHEMA


def is_plain_number(reference: str) -> bool:
    """References that are plain numbers go out as JSON numbers, as existing
    clients received them; any other reference stays a string."""
    return reference.isascii() and reference.isdigit() and not reference.startswith("0")


@extend_schema_field(
    {
        "oneOf": [{"type": "integer", "minimum": 1}, {"type": "string"}],
        "description": "A JSON number when the reference is a plain number "
        "(no leading zero), as existing clients receive it; a string otherwise.",
    }
)
class SentReferenceField(serializers.Field):
    def to_representation(self, value: str) -> int | str:
        return int(value) if is_plain_number(value) else value


class RecordTimeField(serializers.DateTimeField):
    """To the second, with its UTC offset (``2026-01-31T09:30:00+00:00``), as
    existing clients receive it: DRF's own would write ``Z`` and microseconds."""

    def to_representation(self, value):
        return value.isoformat(timespec="seconds")


def payment_amount(row: dict) -> Decimal:
    """What the gateway is to collect: the balance due while unpaid (the total,
    unless some was paid through another face or credited), the total once paid."""
    if row["status"] == "paid":
        return row["total"]
    return row["total"] - row["amount_paid"] - row["amount_credited"]


@extend_schema_field({"type": "string", "pattern": r"^[0-9]+\.[0-9]{2,}$"})
class PaymentAmountField(serializers.Field):
    """``payment_amount`` of the row, a decimal string of at least two places
    (``"50000.00"``, ``"99.981"``)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", **kwargs)

    def to_representation(self, row: dict) -> str:
        return format_min_places(payment_amount(row))


class PaymentStatusField(serializers.ChoiceField):
    """``paid``, or ``unpaid`` for an open invoice (paid in part or not at all)."""

    def __init__(self, **kwargs):
        super().__init__(choices=["paid", "unpaid"], **kwargs)

    def to_representation(self, value: str) -> str:
        return "paid" if value == "paid" else "unpaid"


class ConstantField(serializers.ChoiceField):
    """A value every record carries alike (``"success": "true"``)."""

    def __init__(self, value: str, **kwargs):
        self.value = value
        super().__init__(choices=[value], source="*", **kwargs)

    def to_representation(self, row) -> str:
        return self.value


# The one declaration of the record: the schema, ``billing_record`` and the
# streamed writer (``renderers``, held to it field by field by its tests) follow
# it. It reads a row of ``selectors.billing_record_by_reference`` with the
# answer's ``message``.
class BillingRecordSerializer(serializers.Serializer):
    """A billing record: the gateway's view of one issued invoice, keys in the
    order existing clients receive them."""

    billingNumber = SentReferenceField(source="number")
    createdAt = RecordTimeField(source="created_at")
    currency = serializers.CharField()
    customerAccountName = serializers.CharField(source="customer__name")
    customerID = SentReferenceField(source="customer__account_number")
    description = serializers.CharField()
    message = serializers.ChoiceField(choices=[CHECKED, PAID, LISTED])
    orderID = SentReferenceField(source="order_id")
    paymentAmount = PaymentAmountField(
        help_text="The balance due while unpaid, the total once paid."
    )
    paymentStatus = PaymentStatusField(source="status")
    success = ConstantField("true")

    def to_representation(self, row: dict) -> dict:
        # DRF's loop over the fields, without its generic attribute lookup: the
        # gateway renders a record on every call. A field's source is a key of
        # the row, or the whole row ("*"); a row holds no nulls.
        return {name: represent(read(row)) for name, read, represent in self._plan}

    @cached_property
    def _plan(self) -> list:
        return [
            (
                name,
                (lambda row: row) if field.source == "*" else itemgetter(field.source),
                field.to_representation,
            )
            for name, field in self.fields.items()
        ]


_RECORD = BillingRecordSerializer()


def billing_record(row: dict, message: str) -> dict:
    """The record of a row of ``selectors.billing_record_by_reference``."""
    return _RECORD.to_representation({**row, "message": message})
