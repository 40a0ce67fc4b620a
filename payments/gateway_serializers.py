"""The payment-gateway face's request and record shapes (document 000)."""

from decimal import Decimal
from json.encoder import encode_basestring_ascii as encode_string

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing_site.api.fields import StrictDateTimeField
from billing_site.money import format_min_places

REFERENCE_REQUIRED = "Order ID and Billing Number are required"
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
    "required": ["billingNumber"],
    "anyOf": [{"required": ["orderID"]}, {"required": ["orderId"]}],
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


class BillingRecordSerializer(serializers.Serializer):
    """Documents the record shape; ``billing_record()`` builds it, row by row."""

    billingNumber = ReferenceField()
    createdAt = StrictDateTimeField()
    currency = serializers.CharField()
    customerAccountName = serializers.CharField()
    customerID = ReferenceField()
    description = serializers.CharField()
    message = serializers.CharField()
    orderID = ReferenceField()
    paymentAmount = serializers.CharField(
        help_text='The balance due while unpaid, the total once paid: a decimal string, "50000.00".'
    )
    paymentStatus = serializers.ChoiceField(choices=["paid", "unpaid"])
    success = serializers.CharField(help_text='"true"')


class GatewayErrorSerializer(serializers.Serializer):
    success = serializers.CharField(help_text='"false"')
    message = serializers.CharField()


def is_plain_number(reference: str) -> bool:
    """References that are plain numbers go out as JSON numbers, as existing
    clients received them; any other reference stays a string."""
    return reference.isascii() and reference.isdigit() and not reference.startswith("0")


def legacy_reference(value: str) -> int | str:
    return int(value) if is_plain_number(value) else value


def payment_amount(row: dict):
    """What the gateway is to collect: the balance due while unpaid (the total,
    unless some was paid through another face), the total once paid."""
    return row["total"] if row["status"] == "paid" else row["total"] - row["amount_paid"]


def billing_record(row: dict, message: str) -> dict:
    """The gateway record of one invoice row (``invoices.selectors.BILLING_RECORD_FIELDS``)."""
    return {
        "billingNumber": legacy_reference(row["number"]),
        "createdAt": row["created_at"].isoformat(timespec="seconds"),
        "currency": row["currency"],
        "customerAccountName": row["customer__name"],
        "customerID": legacy_reference(row["customer__account_number"]),
        "description": row["description"],
        "message": message,
        "orderID": legacy_reference(row["order_id"]),
        "paymentAmount": format_min_places(payment_amount(row)),
        "paymentStatus": "paid" if row["status"] == "paid" else "unpaid",
        "success": "true",
    }


def min_places_text(amount: str) -> str:
    """``format_min_places`` of an amount the database wrote ("10.3700", "10")."""
    whole, _, fraction = amount.partition(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"


def reference_json(value: str) -> str:
    """``legacy_reference`` of ``value``, as JSON text."""
    return value if is_plain_number(value) else encode_string(value)


def billing_records_json(batches, message: str):
    """The JSON array of ``billing_record``s of ``billing_record_batches``, in
    pieces of a batch each. Written directly, a record costs a few string
    operations rather than a dict, its conversions and a pass of the encoder; a
    customer's name and account are encoded once. The tests hold it equal
    to ``billing_record``, record by record."""
    tail = f',"message":{encode_string(message)},"orderID":'
    encoded: dict[int, tuple[str, str]] = {}
    yield "["
    separator = ""
    for rows, customers in batches:
        if len(encoded) > len(customers):  # the reader let its customers go
            encoded.clear()
        for pk in {row[-1] for row in rows} - encoded.keys():
            name, account = customers[pk]
            encoded[pk] = encode_string(name), reference_json(account)
        pieces = []
        for (
            _,
            order_id,
            number,
            total,
            paid,
            currency,
            description,
            status,
            created,
            customer,
        ) in rows:
            name, account = encoded[customer]
            if status == "paid" or not paid.strip("0."):  # all paid, or none yet: the total
                amount = min_places_text(total)
            else:
                amount = format_min_places(Decimal(total) - Decimal(paid))
            pieces.append(
                f'{{"billingNumber":{reference_json(number)},'
                f'"createdAt":"{created[:10]}T{created[11:19]}+00:00",'
                f'"currency":{encode_string(currency)},"customerAccountName":{name},'
                f'"customerID":{account},"description":{encode_string(description)}'
                f'{tail}{reference_json(order_id)},"paymentAmount":"{amount}",'
                f'"paymentStatus":"{"paid" if status == "paid" else "unpaid"}","success":"true"}}'
            )
        if pieces:
            yield separator + ",".join(pieces)
            separator = ","
    yield "]"
