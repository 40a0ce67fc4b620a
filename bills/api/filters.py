from django.db.models import Q
from django_filters import rest_framework as filters

from billing_site.api.fields import DateFilter
from invoices.models import OVERDUE, billing_today, client_status_condition, overdue_condition

from ..models import Bill
from .fields import STATUS_NUMBERS

# A bill's status is its invoice's client status, "void" named "cancelled"; each
# also by the number the bill object shows.
STATUSES = {
    name: client_status_condition(status, "invoice__")
    for name, status in (
        ("open", "open"),
        ("partially_paid", "partially_paid"),
        ("paid", "paid"),
        ("cancelled", "void"),
    )
}
STATUSES |= {
    str(STATUS_NUMBERS["void" if name == "cancelled" else name]): condition
    for name, condition in STATUSES.items()
}


class BillFilter(filters.FilterSet):
    status = filters.ChoiceFilter(
        choices=[(key, key) for key in [*STATUSES, OVERDUE]],
        method="filter_status",
        help_text=(
            "open, partially_paid, paid, cancelled (or 2, 3, 4, 5); overdue: the open "
            "and partially paid bills due before today (they show status 2 or 3)"
        ),
    )
    paid = filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_paid"
    )
    ref1 = filters.CharFilter()
    ref2 = filters.CharFilter()
    due_from = DateFilter(field_name="invoice__due_date", lookup_expr="gte", help_text="YYYY-MM-DD")
    due_to = DateFilter(field_name="invoice__due_date", lookup_expr="lte", help_text="YYYY-MM-DD")

    class Meta:
        model = Bill
        fields = []

    def filter_status(self, queryset, name, value):
        if value == OVERDUE:  # a filter only: the bill's status number stays the document's
            return queryset.filter(overdue_condition(billing_today(), "invoice__"))
        return queryset.filter(STATUSES[value])

    def filter_paid(self, queryset, name, value):
        paid = Q(invoice__status="paid")
        return queryset.filter(paid if value == "true" else ~paid)
