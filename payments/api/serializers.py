"""Recording a payment through the invoices face: ``POST /api/v1/invoices/{id}/payments``,
and refunding one: ``POST /api/v1/payments/{id}/refunds``. The payment and the
refund come back in the face's shapes (``invoices.api.serializers``)."""

from rest_framework import serializers

from billing_site.api.amounts import AmountField, check_precision
from billing_site.api.fields import (
    StrictCharField,
    StrictDateTimeField,
    StrictIntegerField,
    StrictRegexField,
)
from billing_site.api.numbers import MoneyNumberField
from invoices.api.serializers import InvoiceBalanceSerializer, PaymentSerializer, RefundSerializer

from ..models import Payment

# Keys that would carry full card data: refused, never stored or echoed.
CARD_DATA_KEYS = {"number", "card_number", "cardnumber", "pan", "cvv", "cvc", "cvv2"}
CARD_DATA_REFUSED = "Send only the card's brand, last4 and expiry, never its number or code."


def _refuse_card_data(data):
    if isinstance(data, dict) and CARD_DATA_KEYS & {str(key).lower() for key in data}:
        raise serializers.ValidationError({"card": [CARD_DATA_REFUSED]})


class CardInputSerializer(serializers.Serializer):
    # A brand is words (Visa, American Express): digits here could be a card number.
    type = StrictRegexField(
        r"^[A-Za-z][A-Za-z .&'-]{0,31}$", required=False, help_text="Brand, e.g. Visa."
    )
    last4 = StrictRegexField(r"^[0-9]{4}$", required=False)
    exp_month = StrictIntegerField(min_value=1, max_value=12, required=False)
    exp_year = StrictIntegerField(min_value=2000, max_value=2100, required=False)

    def to_internal_value(self, data):
        _refuse_card_data(data)
        return super().to_internal_value(data)


class PaymentMethodField(serializers.ChoiceField):
    """A payment method: one of ``Payment.Method``, or a name document 001's
    clients use for one (its sample pays with ``"credit_card"``: the card method)."""

    ALIASES = {"credit_card": Payment.Method.CARD}

    def __init__(self, **kwargs):
        super().__init__(choices=[*Payment.Method.values, *self.ALIASES], **kwargs)

    def to_internal_value(self, data):
        method = super().to_internal_value(data)
        return self.ALIASES.get(method, method)


class PaymentCreateSerializer(serializers.Serializer):
    amount = AmountField()
    method = PaymentMethodField()
    reference = StrictCharField(
        max_length=128,
        required=False,
        allow_blank=True,
        help_text="The provider's reference; unique per provider.",
    )
    provider = StrictCharField(max_length=32, required=False, allow_blank=True)
    paid_at = StrictDateTimeField(required=False)
    card = CardInputSerializer(required=False)

    def to_internal_value(self, data):
        _refuse_card_data(data)
        return super().to_internal_value(data)

    def validate(self, attrs):
        check_precision(attrs, self.context["currency"], ("amount",))
        if attrs["amount"] <= 0:
            raise serializers.ValidationError({"amount": ["Must be greater than zero."]})
        return attrs

    def service_arguments(self) -> dict:
        data = self.validated_data
        card = data.get("card", {})
        return {
            "amount": data["amount"],
            "method": data["method"],
            "provider": data.get("provider", ""),
            "provider_reference": data.get("reference") or None,
            "paid_at": data.get("paid_at"),
            "card_brand": card.get("type", ""),
            "card_last4": card.get("last4", ""),
            "card_exp_month": card.get("exp_month"),
            "card_exp_year": card.get("exp_year"),
        }


class RecordedPaymentSerializer(PaymentSerializer):
    """A payment just recorded, with what it changed of its invoice."""

    invoice = InvoiceBalanceSerializer()


class RefundCreateSerializer(serializers.Serializer):
    """``{"amount", "reason"}``, both required; any other key is refused."""

    amount = AmountField(help_text="At most what is left of the payment to refund.")
    reason = StrictCharField(max_length=500, help_text="Why the money is given back.")

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return super().to_internal_value(data)

    def validate(self, attrs):
        check_precision(attrs, self.context["currency"], ("amount",))
        if attrs["amount"] <= 0:
            raise serializers.ValidationError({"amount": ["Must be greater than zero."]})
        return attrs


class RefundedPaymentSerializer(serializers.Serializer):
    """The payment a refund was made from, as the refund leaves it."""

    id = serializers.IntegerField()
    amount = MoneyNumberField()
    amount_refunded = MoneyNumberField()
    refundable = MoneyNumberField(help_text="What is left of the payment to refund.")


class RecordedRefundSerializer(RefundSerializer):
    """A refund just made, with what it changed of its payment and invoice."""

    payment = RefundedPaymentSerializer()
    invoice = InvoiceBalanceSerializer(source="payment.invoice")
