from django.db.models import Q
from django_filters import rest_framework as filters

from billing_site.api.fields import DateFilter, IdFilter

from .models import Customer, Invoice
from .money import CURRENCY_CHOICES

STATUS_CHOICES = [
    (status, status) for status in ("draft", "open", "partially_paid", "paid", "void", "unpaid")
]


class InvoiceFilter(filters.FilterSet):
    """Dates are inclusive: ``date_from=2023-03-01`` includes invoices of that day."""

    status = filters.ChoiceFilter(
        choices=STATUS_CHOICES,
        method="filter_status",
        help_text="unpaid: open, partly paid or not.",
    )
    customer_id = IdFilter(field_name="customer_id")
    date_from = DateFilter(field_name="issue_date", lookup_expr="gte")
    date_to = DateFilter(field_name="issue_date", lookup_expr="lte")
    due_after = DateFilter(field_name="due_date", lookup_expr="gte")
    due_before = DateFilter(field_name="due_date", lookup_expr="lte")
    currency = filters.ChoiceFilter(choices=CURRENCY_CHOICES)
    ordering = filters.OrderingFilter(
        fields=[
            ("issue_date", "date"),
            ("due_date", "due_date"),
            ("total", "total"),
            ("number", "number"),
            ("created_at", "created_at"),
            ("id", "id"),
        ],
    )

    class Meta:
        model = Invoice
        fields = []

    def filter_status(self, queryset, name, value):
        conditions = {
            "open": Q(status="open", amount_paid=0),
            "partially_paid": Q(status="open", amount_paid__gt=0),
            "unpaid": Q(status="open"),
        }
        return queryset.filter(conditions.get(value, Q(status=value)))


class CustomerFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Customer.Status.choices)
    account_number = filters.CharFilter()
    email = filters.CharFilter(lookup_expr="iexact")
    name = filters.CharFilter(lookup_expr="icontains")
    ordering = filters.OrderingFilter(fields=["name", "account_number", "created_at", "id"])

    class Meta:
        model = Customer
        fields = []
