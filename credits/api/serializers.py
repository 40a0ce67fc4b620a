"""Shapes of credit notes on the invoices face (document 001's conventions).

Out: ``CreditNoteSerializer``, the one declared shape of a credit note (the
response and the OpenAPI schema); amounts are JSON numbers with the currency's
places, as the face's invoices are.

In: ``CreditNoteCreateSerializer``: the invoice, ``lines`` or a tax-inclusive
``amount``, a reason and a mode. Unknown keys are refused (400), amounts are
read exactly (strings or numbers, never through float)."""

from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from billing_site.api.amounts import AmountField
from billing_site.api.fields import IdField, StrictCharField, StrictDecimalField
from billing_site.api.numbers import MoneyNumberField, NumberField
from billing_site.money import MoneyError, parse_amount
from invoices.services import LineInput

from ..models import CreditNote
from ..selectors import creditable_invoice

# --- out ---------------------------------------------------------------------------


class CreditNoteLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    quantity = NumberField(max_digits=12, decimal_places=3)
    unit_price = MoneyNumberField(currency_source="credit_note.currency")
    tax_rate = NumberField(max_digits=7, decimal_places=4, help_text="Percent, e.g. 10 for 10%.")
    subtotal = MoneyNumberField(currency_source="credit_note.currency")
    tax = MoneyNumberField(currency_source="credit_note.currency")
    total = MoneyNumberField(currency_source="credit_note.currency")


class CreditNoteSerializer(serializers.ModelSerializer):
    """A credit note: what it credits (``invoice_id``, ``invoice_number``), how
    (``mode``), why (``reason``), its lines and totals, and its PDF."""

    invoice_number = serializers.CharField(source="invoice.number")
    date = serializers.DateTimeField(source="issued_at")
    subtotal = MoneyNumberField()
    tax = MoneyNumberField()
    total = MoneyNumberField()
    line_items = CreditNoteLineSerializer(source="lines", many=True)
    pdf_url = serializers.SerializerMethodField(help_text="The note as a PDF (same credentials).")

    class Meta:
        model = CreditNote
        fields = [
            "id",
            "number",
            "invoice_id",
            "invoice_number",
            "customer_id",
            "date",
            "mode",
            "reason",
            "currency",
            "subtotal",
            "tax",
            "total",
            "line_items",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_pdf_url(self, note) -> str:
        return reverse("credit-note-pdf", kwargs={"pk": note.pk})


# --- in ----------------------------------------------------------------------------


def _refuse_unknown(data, fields) -> None:
    if not isinstance(data, Mapping):
        raise serializers.ValidationError({"detail": ["Must be a JSON object."]})
    unknown = sorted(str(key) for key in data if key not in fields)
    if unknown:
        raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})


class CreditLineInputSerializer(serializers.Serializer):
    description = StrictCharField(max_length=500)
    quantity = StrictDecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal("0.001"), default=Decimal("1")
    )
    unit_price = AmountField()
    tax_rate = StrictDecimalField(
        max_digits=7,
        decimal_places=4,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        default=Decimal("0"),
        help_text="Percent, e.g. 10 for 10%.",
    )

    def to_internal_value(self, data):
        _refuse_unknown(data, self.fields)
        return super().to_internal_value(data)


class CreditNoteCreateSerializer(serializers.Serializer):
    """Give ``lines`` (taxed as invoice lines) or ``amount`` (tax included: taxed
    at the invoice's rate when its lines share one, else at the invoice's share
    of tax in its total), not both."""

    invoice_id = IdField(help_text="An issued (open or paid) invoice.")
    lines = CreditLineInputSerializer(
        many=True, required=False, allow_empty=False, max_length=settings.MAX_ITEMS_PER_REQUEST
    )
    amount = AmountField(required=False, help_text="Tax-inclusive amount to credit.")
    reason = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")
    mode = serializers.ChoiceField(
        choices=CreditNote.Mode.choices,
        required=False,
        help_text=(
            "reduce_invoice (the default while the invoice has a balance): takes the credit "
            "off what the invoice asks, up to its balance. customer_credit (the default once "
            "nothing is owed): the customer's credit in the invoice's currency, used by its "
            "next invoices as they are issued, oldest credit first."
        ),
    )

    def to_internal_value(self, data):
        _refuse_unknown(data, self.fields)
        return super().to_internal_value(data)

    def validate_invoice_id(self, value):
        invoice = creditable_invoice(user=self.context["request"].user, pk=value)
        if invoice is None:
            raise serializers.ValidationError(f"Invoice {value} not found.")
        return invoice

    def validate(self, attrs):
        if ("lines" in attrs) == ("amount" in attrs):
            raise serializers.ValidationError({"amount": ["Give either amount or lines."]})
        currency = attrs["invoice_id"].currency
        errors = {}
        if "amount" in attrs:
            try:
                parse_amount(attrs["amount"], currency)
            except MoneyError as exc:
                errors["amount"] = [str(exc)]
            else:
                if attrs["amount"] <= 0:
                    errors["amount"] = ["Must be greater than zero."]
        for index, line in enumerate(attrs.get("lines") or []):
            try:
                parse_amount(line["unit_price"], currency)
            except MoneyError as exc:
                errors.setdefault("lines", {})[index] = {"unit_price": [str(exc)]}
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def service_arguments(self) -> dict:
        data = self.validated_data
        return {
            "invoice_id": data["invoice_id"].pk,
            "lines": [LineInput(**line) for line in data["lines"]] if "lines" in data else None,
            "amount": data.get("amount"),
            "reason": data["reason"],
            "mode": data.get("mode"),
        }
