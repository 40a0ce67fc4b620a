"""The credit note staff issue on an invoice's admin page."""

from django import forms

from billing_site.money import MoneyError, currency_exponent, parse_amount
from invoices.models import Invoice

from .models import CreditNote


class CreditNoteIssueForm(forms.Form):
    """Checked as the API checks a credit note's amount: a decimal amount in the
    invoice's currency, above zero and no more precise than it allows. What the
    invoice can still be credited is the service's to check, under its lock."""

    amount = forms.CharField(
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="Tax included: at the invoice's rate, or its share of tax when it has several.",
    )
    mode = forms.ChoiceField(choices=CreditNote.Mode.choices)
    reason = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, invoice: Invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        places = currency_exponent(invoice.currency)
        self.fields["amount"].label = f"Amount ({invoice.currency})"
        self.fields["amount"].help_text += f" At most {places} decimal places."
        Mode = CreditNote.Mode
        self.fields["mode"].initial = (
            Mode.REDUCE_INVOICE if invoice.balance > 0 else Mode.CUSTOMER_CREDIT
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
        data = self.cleaned_data
        return {"amount": data["amount"], "mode": data["mode"], "reason": data["reason"]}
