"""Shapes of the invoices face (document 001): the long invoice sample out,
``customer_id``/``amount``/``date``/``due_date`` (or line items) in."""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing_site.api.fields import (
    ASCII_DIGITS_ONLY,
    IdField,
    StrictCharField,
    StrictDateField,
    StrictDateTimeField,
    StrictDecimalField,
    StrictIntegerField,
    StrictModelSerializer,
)
from billing_site.money import (
    CURRENCY_CHOICES,
    MAX_AMOUNT,
    MoneyError,
    format_amount,
    parse_amount,
)

from .models import Customer, Invoice
from .selectors import customer_get
from .services import LineInput

# Sent as a decimal string or a JSON number; answered as a string. A currency may
# allow fewer places than four (USD two, JPY none): more is a 400.
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


class AddressSerializer(serializers.Serializer):
    street = StrictCharField(max_length=200, required=False, allow_blank=True)
    city = StrictCharField(max_length=100, required=False, allow_blank=True)
    state = StrictCharField(max_length=100, required=False, allow_blank=True)
    zip = StrictCharField(max_length=20, required=False, allow_blank=True)
    country = StrictCharField(max_length=2, required=False, allow_blank=True)


class CustomerSerializer(StrictModelSerializer):
    address = AddressSerializer(source="*", required=False)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "first_name",
            "last_name",
            "email",
            "phone",
            "address",
            "account_number",
            "tax_number",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"account_number": {"required": False, "allow_blank": True}}


class LineItemSerializer(serializers.Serializer):
    id = StrictIntegerField(read_only=True)
    description = StrictCharField(max_length=500)
    quantity = StrictDecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal("0.001"), default=Decimal("1")
    )
    price = AmountField(source="unit_price", currency_source="invoice.currency")
    tax_rate = StrictDecimalField(
        max_digits=7,
        decimal_places=4,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        default=Decimal("0"),
        help_text="Percent, e.g. 10 for 10%.",
    )
    subtotal = AmountField(currency_source="invoice.currency", read_only=True)
    tax = AmountField(currency_source="invoice.currency", read_only=True)
    total = AmountField(currency_source="invoice.currency", read_only=True)


class CardSerializer(serializers.Serializer):
    type = StrictCharField(source="card_brand")
    last4 = StrictCharField(source="card_last4")
    exp_month = StrictIntegerField(source="card_exp_month", allow_null=True)
    exp_year = StrictIntegerField(source="card_exp_year", allow_null=True)


class PaymentSummarySerializer(serializers.Serializer):
    """A payment as the invoice shows it (``payment`` and ``payments[]``)."""

    id = StrictIntegerField()
    date = StrictDateTimeField(source="paid_at")
    amount = AmountField()
    method = StrictCharField()
    provider = StrictCharField()
    reference = StrictCharField(source="provider_reference", allow_null=True)
    card = serializers.SerializerMethodField()

    @extend_schema_field(CardSerializer(allow_null=True))
    def get_card(self, payment):
        return CardSerializer(payment).data if payment.card_brand or payment.card_last4 else None


class BilledCustomerSerializer(serializers.Serializer):
    id = StrictIntegerField()
    name = StrictCharField()
    email = StrictCharField()
    account_number = StrictCharField()
    tax_number = StrictCharField()
    address = AddressSerializer()


class InvoiceSerializer(StrictModelSerializer):
    """The long invoice of document 001. ``payments`` is the reverse relation of
    the payments app's ``Payment``; it arrives prefetched from the selector."""

    customer_id = StrictIntegerField(read_only=True)
    date = StrictDateField(source="issue_date")
    status = StrictCharField(source="display_status")
    subtotal = AmountField()
    tax = AmountField()
    total = AmountField()
    amount = AmountField(source="total", help_text="The invoice total (document 001's amount).")
    amount_paid = AmountField()
    balance = AmountField()
    line_items = LineItemSerializer(source="lines", many=True)
    customer = BilledCustomerSerializer(source="billed_customer")
    payment = serializers.SerializerMethodField(help_text="The latest payment, or null.")
    payments = PaymentSummarySerializer(many=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "order_id",
            "customer_id",
            "date",
            "due_date",
            "period_from",
            "period_to",
            "currency",
            "description",
            "status",
            "subtotal",
            "tax",
            "total",
            "amount",
            "amount_paid",
            "balance",
            "line_items",
            "customer",
            "payment",
            "payments",
            "created_at",
            "updated_at",
            "issued_at",
            "paid_at",
            "voided_at",
        ]
        read_only_fields = fields

    @extend_schema_field(PaymentSummarySerializer(allow_null=True))
    def get_payment(self, invoice):
        payments = list(invoice.payments.all())
        return PaymentSummarySerializer(payments[-1]).data if payments else None


class InvoiceWriteSerializer(serializers.Serializer):
    """Creating (``POST``) or changing (``PUT``/``PATCH``) a draft invoice. Give
    either ``amount`` (one untaxed line) or ``line_items``; with both, ``amount``
    must equal their total."""

    customer_id = IdField()
    amount = AmountField(required=False)
    line_items = LineItemSerializer(
        many=True, required=False, allow_empty=False, max_length=settings.MAX_ITEMS_PER_REQUEST
    )
    date = StrictDateField()
    due_date = StrictDateField()
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, default=settings.DEFAULT_CURRENCY)
    number = StrictCharField(max_length=64, required=False, allow_blank=True)
    order_id = StrictCharField(max_length=64, required=False, allow_blank=True)
    description = StrictCharField(max_length=10_000, required=False, allow_blank=True)
    period_from = StrictDateField(required=False, allow_null=True)
    period_to = StrictDateField(required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=["draft", "open"],
        default="draft",
        write_only=True,
        help_text="open issues the invoice at once.",
    )

    def to_internal_value(self, data):
        # Name every missing field at once, "amount" included, not only the first failures.
        errors = {}
        try:
            attrs = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors, attrs = dict(exc.detail), {}
        if (
            not self.partial
            and isinstance(data, Mapping)
            and "amount" not in data
            and "line_items" not in data
        ):
            errors["amount"] = ["This field is required (or give line_items)."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def validate_customer_id(self, value):
        customer = customer_get(user=self.context["request"].user, pk=value)
        if customer is None:
            raise serializers.ValidationError(f"Customer {value} not found.")
        return customer

    def validate(self, attrs):
        # A PATCH is partial for the invoice, never for a line it sends.
        for index, line in enumerate(attrs.get("line_items") or []):
            missing = [
                name
                for name, key in (("description", "description"), ("price", "unit_price"))
                if key not in line
            ]
            if missing:
                raise serializers.ValidationError(
                    {"line_items": {index: {name: ["This field is required."] for name in missing}}}
                )
        currency = attrs.get("currency") or getattr(self.instance, "currency", None)
        check_precision(attrs, currency, ("amount",))
        for index, line in enumerate(attrs.get("line_items") or []):
            try:
                parse_amount(line["unit_price"], currency)
            except MoneyError as exc:
                raise serializers.ValidationError(
                    {"line_items": {index: {"price": [str(exc)]}}}
                ) from None
        date = attrs.get("date", getattr(self.instance, "issue_date", None))
        due = attrs.get("due_date", getattr(self.instance, "due_date", None))
        if date and due and due < date:
            raise serializers.ValidationError({"due_date": ["Must not be before date."]})
        start = attrs.get("period_from", getattr(self.instance, "period_from", None))
        end = attrs.get("period_to", getattr(self.instance, "period_to", None))
        if start and end and end < start:
            raise serializers.ValidationError({"period_to": ["Must not be before period_from."]})
        return attrs

    def service_arguments(self) -> dict:
        """validated_data in the terms of ``invoice_create``/``invoice_update``."""
        data = dict(self.validated_data)
        renames = {"customer_id": "customer", "date": "issue_date"}
        arguments = {
            renames.get(key, key): value
            for key, value in data.items()
            if key not in ("amount", "line_items", "status")
        }
        if "line_items" in data:
            arguments["lines"] = [LineInput(**line) for line in data["line_items"]]
        if "amount" in data:
            arguments["amount"] = data["amount"]
        if not self.instance:
            arguments["issue"] = data.get("status") == "open"
        return arguments
