"""Shapes of the invoices face (document 001).

Out: one declared shape per object of the document, from which the response and
the OpenAPI schema both come: the invoice (``InvoiceSerializer``), its line item
(``LineItemSerializer``), the customer as billed (``BilledCustomerSerializer``)
and a payment (``PaymentSerializer``). Amounts are JSON numbers with the
currency's places, as the document writes them (``"amount": 100.00``); render
them with ``NumberJSONRenderer``.

In: ``customer_id``/``amount``/``date``/``due_date`` (or line items), amounts as
numbers or decimal strings, read exactly; the customers resource."""

from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing_site.api.amounts import AmountField, check_precision
from billing_site.api.fields import (
    IdField,
    StrictCharField,
    StrictDateField,
    StrictDecimalField,
    StrictModelSerializer,
)
from billing_site.api.numbers import MoneyNumberField, NumberField
from billing_site.errors import ConflictError
from billing_site.money import CURRENCY_CHOICES, MoneyError, parse_amount, quantize
from credits.models import CreditNote
from payments.models import Payment

from ..models import Customer, Invoice, billing_today
from ..selectors import customer_get
from ..services import LineInput

# --- out ---------------------------------------------------------------------------


class AddressSerializer(serializers.Serializer):
    street = StrictCharField(max_length=200, required=False, allow_blank=True)
    city = StrictCharField(max_length=100, required=False, allow_blank=True)
    state = StrictCharField(max_length=100, required=False, allow_blank=True)
    zip = StrictCharField(max_length=20, required=False, allow_blank=True)
    country = StrictCharField(max_length=2, required=False, allow_blank=True)


class LineItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    quantity = NumberField(max_digits=12, decimal_places=3)
    price = MoneyNumberField(source="unit_price", currency_source="invoice.currency")
    tax_rate = NumberField(max_digits=7, decimal_places=4, help_text="Percent, e.g. 10 for 10%.")
    subtotal = MoneyNumberField(currency_source="invoice.currency")
    tax = MoneyNumberField(currency_source="invoice.currency")
    total = MoneyNumberField(currency_source="invoice.currency")


class CardSerializer(serializers.Serializer):
    type = serializers.CharField(source="card_brand")
    last4 = serializers.CharField(source="card_last4")
    exp_month = serializers.IntegerField(source="card_exp_month", allow_null=True)
    exp_year = serializers.IntegerField(source="card_exp_year", allow_null=True)


class RefundSerializer(serializers.Serializer):
    """A refund of a payment: the payment's ``refunds[]`` and
    ``/api/v1/payments/{id}/refunds``. ``provider``, ``reference`` and
    ``provider_status`` are the provider's who gave the money back; blank (the
    reference null) when the refund was recorded without a provider."""

    id = serializers.IntegerField()
    payment_id = serializers.IntegerField()
    date = serializers.DateTimeField(source="refunded_at")
    amount = MoneyNumberField()
    currency = serializers.CharField()
    reason = serializers.CharField()
    provider = serializers.CharField()
    reference = serializers.CharField(source="provider_reference", allow_null=True)
    provider_status = serializers.CharField()


class PaymentSerializer(serializers.Serializer):
    """A payment: the invoice's ``payment`` and ``payments[]``, and
    ``/api/v1/invoices/{id}/payments``. ``amount`` is what was paid;
    ``amount_refunded`` what of it was given back, refund by refund in
    ``refunds``."""

    id = serializers.IntegerField()
    date = serializers.DateTimeField(source="paid_at")
    amount = MoneyNumberField()
    amount_refunded = MoneyNumberField()
    method = serializers.ChoiceField(choices=Payment.Method.choices)
    provider = serializers.CharField()
    reference = serializers.CharField(source="provider_reference", allow_null=True)
    card = serializers.SerializerMethodField()
    refunds = RefundSerializer(many=True)

    @extend_schema_field(CardSerializer(allow_null=True))
    def get_card(self, payment):
        return CardSerializer(payment).data if payment.card_brand or payment.card_last4 else None


class InvoiceCreditNoteSerializer(serializers.Serializer):
    """A credit note as the invoice it credits lists it (``credit_notes``: the
    reverse relation of the credits app's ``CreditNote``, prefetched); the whole
    note is at ``/api/v1/credit-notes/{id}``."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    date = serializers.DateTimeField(source="issued_at")
    mode = serializers.ChoiceField(choices=CreditNote.Mode.choices)
    total = MoneyNumberField()
    reason = serializers.CharField()


class BilledCustomerSerializer(serializers.Serializer):
    """The invoice's ``customer``: as it was when the invoice was issued (as it
    is while a draft)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()
    account_number = serializers.CharField()
    tax_number = serializers.CharField()
    address = AddressSerializer()


# Every status an invoice shows a client (ClientStatusField).
CLIENT_STATUSES = (
    "draft",
    "open",
    "partially_paid",
    "overdue",
    "paid",
    "void",
    "partially_refunded",
    "refunded",
)


@extend_schema_field(
    {
        "type": "string",
        "enum": list(CLIENT_STATUSES),
        "example": "open",
        "description": (
            "draft, open, partially_paid, overdue, paid or void; refunded or "
            "partially_refunded. overdue: open (paid in part or not at all) and due before "
            "today, in the service's time zone; amount_paid tells whether some of it is "
            "paid. refunded, partially_refunded: open and not overdue, its payments given "
            "back in full or in part."
        ),
    }
)
class ClientStatusField(serializers.Field):
    """The status the invoice shows today (``Invoice.status_on``): one today for
    the whole answer, read once."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)
        self._today = None

    def to_representation(self, invoice):
        if self._today is None:
            self._today = billing_today()
        return invoice.status_on(self._today)


class InvoiceSerializer(serializers.ModelSerializer):
    """The invoice: document 001's four fields (``customer_id``, ``amount``,
    ``date``, ``due_date``) and its long sample's. ``payments`` is the reverse
    relation of the payments app's ``Payment``; it arrives prefetched from the
    selector."""

    customer_id = serializers.IntegerField()
    date = serializers.DateField(
        source="issue_date", allow_null=True, help_text="The issue date; null on a draft."
    )
    status = ClientStatusField()
    subtotal = MoneyNumberField()
    tax = MoneyNumberField()
    total = MoneyNumberField()
    amount = MoneyNumberField(source="total", help_text="The invoice total.")
    amount_paid = MoneyNumberField(help_text="What was paid, less what was refunded.")
    amount_refunded = MoneyNumberField(help_text="What was refunded of its payments.")
    amount_credited = MoneyNumberField(
        help_text="Taken off by credit notes and by the customer's credit applied to it."
    )
    balance = MoneyNumberField(help_text="total - amount_paid - amount_credited.")
    line_items = LineItemSerializer(source="lines", many=True)
    customer = BilledCustomerSerializer(source="billed_customer")
    payment = serializers.SerializerMethodField(help_text="The latest payment, or null.")
    payments = PaymentSerializer(many=True)
    credit_notes = InvoiceCreditNoteSerializer(many=True)

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
            "amount_refunded",
            "balance",
            "line_items",
            "customer",
            "payment",
            "payments",
            "amount_credited",
            "credit_notes",
            "created_at",
            "updated_at",
            "issued_at",
            "paid_at",
            "voided_at",
        ]
        read_only_fields = fields

    @extend_schema_field(PaymentSerializer(allow_null=True))
    def get_payment(self, invoice):
        payments = list(invoice.payments.all())
        return PaymentSerializer(payments[-1]).data if payments else None


class InvoiceBalanceSerializer(InvoiceSerializer):
    """The invoice's fields that a payment changes: the same declaration, fewer fields."""

    class Meta(InvoiceSerializer.Meta):
        fields = ["id", "number", "status", "total", "amount_paid", "balance"]
        read_only_fields = fields


# --- in ----------------------------------------------------------------------------


class CustomerSerializer(StrictModelSerializer):
    """The customers resource, read and written (document 001 has no customers
    list; an invoice shows its customer as ``BilledCustomerSerializer``)."""

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
            "email_documents",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"account_number": {"required": False, "allow_blank": True}}


class CustomerDetailSerializer(CustomerSerializer):
    """One customer (``GET /api/v1/customers/{id}``): the resource and its credit."""

    credit_balances = serializers.SerializerMethodField(
        help_text="The customer's unused credit per currency (credit notes issued as "
        'customer credit, less what its later invoices used), e.g. {"USD": 12.50}; '
        "empty when none. Read only."
    )

    class Meta(CustomerSerializer.Meta):
        fields = [*CustomerSerializer.Meta.fields, "credit_balances"]
        read_only_fields = [*CustomerSerializer.Meta.read_only_fields, "credit_balances"]

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "number"}, "example": {"USD": 12.5}}
    )
    def get_credit_balances(self, customer) -> dict:
        """From the prefetched ``credit_entries`` (the credits app's ledger),
        summed here: exact on every database."""
        totals: dict[str, Decimal] = {}
        for entry in customer.credit_entries.all():
            totals[entry.currency] = totals.get(entry.currency, Decimal("0")) + entry.amount
        return {
            currency: quantize(amount, currency)
            for currency, amount in sorted(totals.items())
            if amount
        }


class LineItemInputSerializer(serializers.Serializer):
    description = StrictCharField(max_length=500)
    quantity = StrictDecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal("0.001"), default=Decimal("1")
    )
    price = AmountField(source="unit_price")
    tax_rate = StrictDecimalField(
        max_digits=7,
        decimal_places=4,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        default=Decimal("0"),
        help_text="Percent, e.g. 10 for 10%.",
    )


# What an issued invoice may still change while nothing is paid (the change is
# recorded), by service argument; and what it may not, by service argument (its
# field's name) with the name clients send it under.
REVISABLE = {"lines", "amount", "description", "due_date"}
FIXED_ONCE_ISSUED = {
    "customer": "customer_id",
    "issue_date": "date",
    "currency": "currency",
    "number": "number",
    "order_id": "order_id",
    "period_from": "period_from",
    "period_to": "period_to",
}


class InvoiceWriteSerializer(serializers.Serializer):
    """Creating (``POST``) or changing (``PUT``/``PATCH``) an invoice. Give
    either ``amount`` (one untaxed line) or ``line_items``; with both, ``amount``
    must equal their total. A new invoice is issued (open) unless ``status`` is
    ``draft``."""

    customer_id = IdField()
    amount = AmountField(required=False)
    line_items = LineItemInputSerializer(
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
        required=False,
        write_only=True,
        help_text=(
            "On create: open (the default) issues the invoice at once, draft keeps it a "
            "draft. On change: the invoice's own status, if given (POST /issue issues a "
            "draft, DELETE voids)."
        ),
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

    def validate_status(self, value):
        if self.instance is not None and value != self.instance.status:
            raise serializers.ValidationError(
                "Use POST /issue to issue a draft and DELETE to void an invoice."
            )
        return value

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
            arguments["issue"] = data.get("status", "open") == "open"
        return arguments

    def revision_arguments(self) -> dict:
        """The arguments of ``invoice_revise`` for an issued invoice: what it may
        change. A field fixed once issued may be sent (a ``PUT`` sends them all)
        only with the value it has; another is a 409."""
        invoice = self.instance
        arguments = self.service_arguments()
        # Blank, as on create: the number it has; the billing number as order id.
        blank_means = {"number": invoice.number, "order_id": invoice.number}
        changed = []
        for key, value in arguments.items():
            if key in blank_means and value == "":
                value = blank_means[key]
            if key in FIXED_ONCE_ISSUED and value != getattr(invoice, key):
                changed.append(FIXED_ONCE_ISSUED[key])
        if changed:
            raise ConflictError(
                f"Invoice {invoice.number} is {invoice.display_status}: its "
                f"{', '.join(changed)} cannot change (void it and create another)."
            )
        return {key: value for key, value in arguments.items() if key in REVISABLE}
