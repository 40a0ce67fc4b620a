"""Filters of the invoices face's lists. Dates are YYYY-MM-DD (``DateFilter``)."""

from django.db.models import Q
from django_filters import rest_framework as filters

from billing_site.api.fields import DateFilter, IdFilter
from billing_site.money import CURRENCY_CHOICES

from ..models import OVERDUE, Customer, Invoice, billing_today, client_status_on_condition

STATUS_CHOICES = [
    (status, status)
    for status in ("draft", "open", "partially_paid", OVERDUE, "paid", "void", "unpaid")
]
# The statuses this face shows for a refunded open invoice not yet overdue (``status_on``),
# which ``open`` and ``partially_paid`` then leave out; ``unpaid`` keeps them.
REFUND_STATUSES = {
    "refunded": Q(status="open", amount_refunded__gt=0, amount_paid=0),
    "partially_refunded": Q(status="open", amount_refunded__gt=0, amount_paid__gt=0),
}


class InvoiceFilter(filters.FilterSet):
    """Dates are inclusive: ``date_from=2023-03-01`` includes invoices of that day.
    The list leaves void invoices out unless ``status=void`` asks for them (the
    view: one is still read by its id)."""

    status = filters.ChoiceFilter(
        choices=[*STATUS_CHOICES, *((status, status) for status in REFUND_STATUSES)],
        method="filter_status",
        help_text=(
            "The status the invoice shows. overdue: open (partly paid or not) and due "
            "before today; open and partially_paid leave those out; unpaid: all three. "
            "Without it, every invoice but void ones."
        ),
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
        today = billing_today()
        if value in REFUND_STATUSES:
            # Not overdue: an overdue invoice shows overdue, refunded or not.
            not_due = Q(due_date__isnull=True) | Q(due_date__gte=today)
            return queryset.filter(REFUND_STATUSES[value] & not_due)
        queryset = queryset.filter(client_status_on_condition(value, today))
        if value in ("open", "partially_paid"):
            queryset = queryset.exclude(amount_refunded__gt=0)
        return queryset


class CustomerFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Customer.Status.choices)
    account_number = filters.CharFilter()
    email = filters.CharFilter(lookup_expr="iexact")
    name = filters.CharFilter(lookup_expr="icontains")
    ordering = filters.OrderingFilter(fields=["name", "account_number", "created_at", "id"])

    class Meta:
        model = Customer
        fields = []
