"""Shapes of the bills face (document 004)."""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from billing_site.api.amounts import AmountField, check_precision
from billing_site.api.fields import (
    StrictCharField,
    StrictDateField,
    StrictDecimalField,
    StrictEmailField,
    StrictIntegerField,
    StrictModelSerializer,
    StrictURLField,
)
from billing_site.api.timestamps import local_time
from billing_site.money import CURRENCY_CHOICES, format_amount
from invoices.models import STATUS_IDS

from .models import Bill, Collection

INCLUDES = (
    "account",
    "collection.organization",
    "product-collections.product",
    "payments.transaction",
)


class CollectionSerializer(StrictModelSerializer):
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
        read_only_fields = ["id", "created_at", "updated_at"]


class BillCustomerSerializer(serializers.Serializer):
    acc_no = StrictCharField(max_length=64)
    first_name = StrictCharField(max_length=100, required=False, allow_blank=True)
    last_name = StrictCharField(max_length=100, required=False, allow_blank=True)
    address = StrictCharField(max_length=200, required=False, allow_blank=True)
    email = StrictEmailField(required=False, allow_blank=True)
    mobile = StrictCharField(max_length=32, required=False, allow_blank=True)


class BillProductInputSerializer(serializers.Serializer):
    title = StrictCharField(max_length=200)
    price = AmountField()
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

    def validate(self, attrs):
        for index, item in enumerate(attrs["product"]):
            try:
                check_precision(item, attrs["currency"], ("price",))
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({"product": {index: exc.detail}}) from None
        return attrs


class BillUpdateSerializer(serializers.Serializer):
    due = StrictDateField(required=False)
    ref1 = StrictCharField(max_length=200, required=False)
    ref2 = StrictCharField(max_length=200, required=False)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, required=False)
    cancel = serializers.BooleanField(required=False, default=False)


def _amount(value: Decimal, currency: str) -> str:
    return format_amount(value, currency)


def bill_body(bill: Bill, request, includes: frozenset = frozenset()) -> dict:
    """The bill object of document 004 (the invoice's amounts and payments)."""
    invoice = bill.invoice
    currency = invoice.currency
    body = {
        "id": bill.pk,
        "bill_no": bill.bill_no,
        "due": invoice.due_date.isoformat() if invoice.due_date else None,
        "status": int(STATUS_IDS[invoice.display_status]),
        "status_name": invoice.display_status,
        "collection_id": bill.collection_id,
        "account_id": invoice.customer_id,
        "ref1": bill.ref1,
        "ref2": bill.ref2,
        "created_at": local_time(bill.created_at),
        "created_by": bill.created_by_id,
        "updated_at": local_time(bill.updated_at),
        "currency": currency,
        "bill_url": request.build_absolute_uri(reverse("bill-page", args=[bill.bill_no])),
        "payment_url": request.build_absolute_uri(reverse("bill-pay", args=[bill.bill_no])),
        "total_amount": _amount(invoice.total, currency),
        "total_paid": _amount(invoice.amount_paid, currency),
        "balance": _amount(invoice.balance, currency),
        "paid": invoice.status == "paid",
        "product_collections": [
            {
                "id": item.pk,
                "bill_id": bill.pk,
                "product_id": item.product_id,
                "created_at": local_time(item.created_at),
                "updated_at": local_time(item.updated_at),
                "quantity": f"{item.quantity.normalize():f}",
                "product": {
                    "id": item.product.pk,
                    "title": item.product.title,
                    "description": item.product.description,
                    "code": item.product.code,
                    "price": _amount(item.product.price, currency),
                    "currency": item.product.currency or None,
                    "created_at": local_time(item.product.created_at),
                    "updated_at": local_time(item.product.updated_at),
                },
            }
            for item in bill.product_collections.all()
        ],
        "payments": [_payment(payment, currency, includes) for payment in invoice.payments.all()],
    }
    if "account" in includes:
        customer = invoice.customer
        body["account"] = {
            "id": customer.pk,
            "acc_no": customer.account_number,
            "name": customer.name,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "address": customer.street,
            "email": customer.email,
            "mobile": customer.phone,
        }
    if "collection.organization" in includes:
        collection = bill.collection
        body["collection"] = {
            "id": collection.pk,
            "code": collection.code,
            "title": collection.title,
            "organization": {"name": collection.organization_name},
        }
    return body


def _payment(payment, currency: str, includes: frozenset) -> dict:
    body = {
        "id": payment.pk,
        "amount": _amount(payment.amount, currency),
        "method": payment.method,
        "paid_at": local_time(payment.paid_at),
    }
    if "payments.transaction" in includes:
        body["transaction"] = {
            "provider": payment.provider,
            "ref_id": payment.provider_reference,
            "created_at": local_time(payment.created_at),
        }
    return body


class BillDocSerializer(serializers.Serializer):
    """Documents the bill object; ``bill_body()`` builds it."""

    id = StrictIntegerField()
    bill_no = StrictCharField()
    due = StrictDateField()
    status = StrictIntegerField(help_text="2 open, 3 partially paid, 4 paid, 5 cancelled")
    status_name = StrictCharField()
    collection_id = StrictIntegerField()
    account_id = StrictIntegerField()
    ref1 = StrictCharField()
    ref2 = StrictCharField()
    created_at = StrictCharField()
    created_by = StrictIntegerField(allow_null=True)
    updated_at = StrictCharField()
    currency = StrictCharField()
    bill_url = StrictURLField()
    payment_url = StrictURLField()
    total_amount = StrictCharField()
    total_paid = StrictCharField()
    balance = StrictCharField()
    paid = serializers.BooleanField()
    product_collections = serializers.ListField(child=serializers.DictField())
    payments = serializers.ListField(child=serializers.DictField())
