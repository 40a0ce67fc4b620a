"""Filters of the credit notes list."""

from django_filters import rest_framework as filters

from billing_site.api.fields import IdFilter
from billing_site.money import CURRENCY_CHOICES

from ..models import CreditNote


class CreditNoteFilter(filters.FilterSet):
    invoice_id = IdFilter(field_name="invoice_id")
    customer_id = IdFilter(field_name="customer_id")
    currency = filters.ChoiceFilter(choices=CURRENCY_CHOICES)
    mode = filters.ChoiceFilter(choices=CreditNote.Mode.choices)
    ordering = filters.OrderingFilter(
        fields=[("issued_at", "date"), ("number", "number"), ("total", "total"), ("id", "id")]
    )

    class Meta:
        model = CreditNote
        fields = []
