"""The payment staff record on an invoice's admin page."""

from django import forms
from django.contrib.admin import widgets
from django.utils import timezone

from billing_site.money import (
    MoneyError,
    currency_exponent,
    format_amount,
    format_for_people,
    parse_amount,
)
from invoices.models import Invoice

from .models import Payment


class PaymentRecordForm(forms.Form):
    """Checked as the API checks a payment (``api.serializers.PaymentCreateSerializer``):
    a decimal amount in the invoice's currency, above zero and no more precise
    than it allows. The balance is the service's to check, under the invoice's lock."""

    amount = forms.CharField(max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    method = forms.ChoiceField(choices=Payment.Method.choices, initial=Payment.Method.BANK_TRANSFER)
    reference = forms.CharField(
        max_length=128,
        required=False,
        help_text="The bank's or provider's reference; a reference is recorded once.",
    )
    paid_at = forms.SplitDateTimeField(
        label="Paid at", widget=widgets.AdminSplitDateTime, initial=timezone.now
    )

    def __init__(self, *args, invoice: Invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        places = currency_exponent(invoice.currency)
        self.fields["amount"].initial = format_amount(invoice.balance, invoice.currency)
        self.fields["amount"].label = f"Amount ({invoice.currency})"
        self.fields["amount"].help_text = (
            f"In {invoice.currency} units, with at most {places} decimal places; "
            f"the balance is {format_for_people(invoice.balance, invoice.currency)}."
        )

    def clean_amount(self):
        try:
            amount = parse_amount(self.cleaned_data["amount"], self.invoice.currency)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from None
        if amount <= 0:
            raise forms.ValidationError("Must be greater than zero.")
        return amount

    def service_arguments(self) -> dict:
        """What ``services.payment_record`` takes from the form."""
        data = self.cleaned_data
        return {
            "amount": data["amount"],
            "method": data["method"],
            "provider_reference": data["reference"] or None,
            "paid_at": data["paid_at"],
        }
