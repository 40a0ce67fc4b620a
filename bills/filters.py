from django.db.models import Q
from django_filters import rest_framework as filters

from billing_site.api.fields import DateFilter
from invoices.models import client_status_condition

from .models import Bill

# A bill's status is its invoice's client status, "void" named "cancelled".
STATUSES = {
    name: client_status_condition(status, "invoice__")
    for name, status in (
        ("open", "open"),
        ("partially_paid", "partially_paid"),
        ("paid", "paid"),
        ("cancelled", "void"),
    )
}
STATUS_NUMBERS = {"2": "open", "3": "partially_paid", "4": "paid", "5": "cancelled"}


class BillFilter(filters.FilterSet):
    status = filters.ChoiceFilter(
        choices=[(key, key) for key in [*STATUSES, *STATUS_NUMBERS]],
        method="filter_status",
        help_text="open, partially_paid, paid, cancelled (or 2, 3, 4, 5)",
    )
    paid = filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_paid"
    )
    ref1 = filters.CharFilter()
    ref2 = filters.CharFilter()
    due_from = DateFilter(field_name="invoice__due_date", lookup_expr="gte")
    due_to = DateFilter(field_name="invoice__due_date", lookup_expr="lte")

    class Meta:
        model = Bill
        fields = []

    def filter_status(self, queryset, name, value):
        return queryset.filter(STATUSES[STATUS_NUMBERS.get(value, value)])

    def filter_paid(self, queryset, name, value):
        paid = Q(invoice__status="paid")
        return queryset.filter(paid if value == "true" else ~paid)
