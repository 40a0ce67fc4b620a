"""Shapes of the bills face (document 004). The input bodies, and ONE declared
output shape per object of the document (collection, bill, product collection,
product, payment, page of a list): the schema and the response both come from
it, so they cannot drift apart."""

from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing_site.api.fields import (
    IdField,
    StrictCharField,
    StrictDateField,
    StrictDecimalField,
    StrictEmailField,
    StrictModelSerializer,
)
from billing_site.money import CURRENCY_CHOICES, MoneyError, parse_amount
from payments.models import Payment

from .. import pages, services
from ..models import Bill, Collection
from .fields import (
    AmountField,
    BlankAsNullField,
    FlagField,
    IncludedMixin,
    LocalTimeField,
    PageUrlField,
    QuantityField,
    RecurringField,
    RecurringInputField,
    StatusField,
)

INCLUDES = (
    "account",
    "collection.organization",
    "product-collections.product",
    "payments.transaction",
)


# Input


class BillCustomerSerializer(serializers.Serializer):
    acc_no = StrictCharField(max_length=64)
    first_name = StrictCharField(max_length=100, required=False, allow_blank=True)
    last_name = StrictCharField(max_length=100, required=False, allow_blank=True)
    address = StrictCharField(max_length=200, required=False, allow_blank=True)
    email = StrictEmailField(required=False, allow_blank=True)
    mobile = StrictCharField(max_length=32, required=False, allow_blank=True)


@extend_schema_field(
    {"oneOf": [{"type": "string", "format": "decimal"}, {"type": "number"}], "example": "10.00"}
)
class PriceField(serializers.Field):
    """A price as sent, a decimal string or number; read against the bill's
    currency by the bill's ``validate`` (the currency fixes its places)."""

    def to_internal_value(self, data):
        return data


class BillProductInputSerializer(serializers.Serializer):
    """One item of ``product``. ``id`` and ``organization_id`` are the client's
    own references for the product, shown back as its ``product_id`` and
    ``organization_id``."""

    id = IdField(required=False)
    organization_id = IdField(required=False)
    title = StrictCharField(max_length=200)
    price = PriceField()
    quantity = StrictDecimalField(max_digits=12, decimal_places=3, min_value=Decimal("0.001"))
    description = StrictCharField(required=False, allow_blank=True, max_length=10_000)
    code = StrictCharField(required=False, allow_blank=True, max_length=64)


class BillCreateSerializer(serializers.Serializer):
    due = StrictDateField()
    ref1 = StrictCharField(max_length=200)
    ref2 = StrictCharField(max_length=200)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES)
    customer = BillCustomerSerializer()
    product = BillProductInputSerializer(
        many=True, allow_empty=False, max_length=settings.MAX_ITEMS_PER_REQUEST
    )
    quantity_label = StrictCharField(
        max_length=32,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="The unit of the quantities (kWh, months); none by default.",
    )
    recurring = RecurringInputField(required=False)
    recurring_end_date = StrictDateField(
        required=False,
        allow_null=True,
        help_text="With recurring: the last date a bill of the series may fall on (on or "
        "after the series' next bill); none: the series runs until the bill is cancelled.",
    )

    def validate(self, attrs):
        errors = {}
        try:
            services.recurrence_check(
                recurring=attrs.get("recurring"),
                recurring_end_date=attrs.get("recurring_end_date"),
                start=timezone.localdate(),
            )
        except services.RecurrenceError as error:
            errors[error.field] = [error.detail]
        for index, item in enumerate(attrs["product"]):
            try:
                item["price"] = parse_amount(item["price"], attrs["currency"])
            except MoneyError as exc:
                errors.setdefault("product", {})[index] = {"price": [str(exc)]}
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class BillUpdateSerializer(serializers.Serializer):
    due = StrictDateField(required=False)
    ref1 = StrictCharField(max_length=200, required=False)
    ref2 = StrictCharField(max_length=200, required=False)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, required=False)
    cancel = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Cancel the bill. On a master it also ends the series: no bill is issued "
        "after it; the bills already issued stay payable.",
    )

    def validate(self, attrs):
        fixed = sorted({"recurring", "recurring_end_date"} & set(self.initial_data))
        if fixed:
            raise serializers.ValidationError(
                {
                    name: ["Set when the bill is created; cancel the bill to end its series."]
                    for name in fixed
                }
            )
        return attrs


# Output (and, for a collection, input)


class CollectionSerializer(StrictModelSerializer):
    """A collection, which groups bills (``collection_id``)."""

    created_at = LocalTimeField(read_only=True)
    updated_at = LocalTimeField(read_only=True)

    class Meta:
        model = Collection
        fields = [
            "id",
            "code",
            "title",
            "organization_name",
            "redirect_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id"]


class ProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    code = serializers.CharField()
    price = AmountField(currency_source="currency")
    product_id = serializers.IntegerField(source="client_product_id", allow_null=True)
    currency = BlankAsNullField()
    organization_id = serializers.IntegerField(source="client_organization_id", allow_null=True)
    created_at = LocalTimeField()
    updated_at = LocalTimeField()


class ProductCollectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    bill_id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    created_at = LocalTimeField()
    updated_at = LocalTimeField()
    quantity = QuantityField()
    product = ProductSerializer()


class TransactionSerializer(IncludedMixin, serializers.Serializer):
    """The provider's transaction of a payment (``?include=payments.transaction``)."""

    provider = serializers.CharField()
    ref_id = serializers.CharField(source="provider_reference", allow_null=True)
    created_at = LocalTimeField()


class BillPaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    amount = AmountField(currency_source="currency")
    method = serializers.ChoiceField(choices=Payment.Method.choices)
    paid_at = LocalTimeField()
    transaction = TransactionSerializer(source="*", include="payments.transaction")


class AccountSerializer(IncludedMixin, serializers.Serializer):
    """The billed customer (``?include=account``)."""

    id = serializers.IntegerField()
    acc_no = serializers.CharField(source="account_number")
    name = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    address = serializers.CharField(source="street")
    email = serializers.CharField()
    mobile = serializers.CharField(source="phone")


class OrganizationSerializer(serializers.Serializer):
    name = serializers.CharField(source="organization_name")


class BillCollectionSerializer(IncludedMixin, serializers.Serializer):
    """The bill's collection and its organization (``?include=collection.organization``)."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    organization = OrganizationSerializer(source="*")


class BillSerializer(serializers.Serializer):
    """The bill object of document 004: the invoice's dates, amounts, status and
    payments, presented through the bill. A master (a bill created with a
    ``recurring`` interval) shows it, its ``recurring_end_date`` and in
    ``rbill_date`` the date its next bill is due (null once its series is over);
    a bill of its series shows the master's ``id`` in ``master_bill`` and in
    ``rbill_date`` the date of the period it bills. ``null`` on other bills."""

    id = serializers.IntegerField()
    bill_no = serializers.CharField()
    due = serializers.DateField(source="invoice.due_date", allow_null=True)
    status = StatusField(source="invoice.display_status")
    recurring = RecurringField()
    recurring_end_date = serializers.DateField(allow_null=True)
    collection_id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=Bill.Type.choices)
    account_id = serializers.IntegerField(source="invoice.customer_id")
    ref1 = serializers.CharField()
    ref2 = serializers.CharField()
    api_redirect = FlagField(
        help_text="1: a payer who paid goes on to the collection's redirect_url."
    )
    created_at = LocalTimeField()
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    updated_at = LocalTimeField()
    currency = serializers.CharField(source="invoice.currency")
    quantity_label = BlankAsNullField()
    is_metric = FlagField(help_text="1: the quantities are measures, not counts.")
    master_bill = serializers.IntegerField(
        source="master_bill_id", allow_null=True, help_text="The id of the series' master."
    )
    rbill_date = serializers.DateField(
        allow_null=True,
        help_text="A master's next bill date; a bill of a series, the date it bills.",
    )
    bill_url = PageUrlField(pages.bill_path)
    payment_url = PageUrlField(pages.payment_path)
    forward_payment_url = PageUrlField(pages.forward_payment_path)
    total_amount = AmountField(source="invoice.total", currency_source="invoice.currency")
    total_paid = AmountField(source="invoice.amount_paid", currency_source="invoice.currency")
    balance = AmountField(source="invoice.balance", currency_source="invoice.currency")
    paid = serializers.BooleanField()
    product_collections = ProductCollectionSerializer(many=True)
    payments = BillPaymentSerializer(many=True, source="invoice.payments")
    account = AccountSerializer(source="invoice.customer", include="account")
    collection = BillCollectionSerializer(include="collection.organization")
