from django_filters import rest_framework as filters

from billing_site.api.fields import DateFilter, IdFilter
from invoices.models import Customer
from reports.models import BillingReport, Order
from reports.selectors import end_of_day, start_of_day


class BillingReportFilter(filters.FilterSet):
    """Document 003's filters. A report matches ``start_date`` when it starts on
    or after it and ``end_date`` when it ends on or before it; ``created_after``
    and ``created_before`` are whole days, inclusive. Dates are YYYY-MM-DD only
    (``DateFilter``): "01/01/2023" is a 400, never read as a US date."""

    customer_id = IdFilter(field_name="customer_id")
    start_date = DateFilter(field_name="start_date", lookup_expr="gte")
    end_date = DateFilter(field_name="end_date", lookup_expr="lte")
    created_after = DateFilter(method="filter_created_after")
    created_before = DateFilter(method="filter_created_before")
    # Not in the document: the reports billed (turned into an invoice) or not yet.
    billed = filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_billed",
        help_text="true: the reports billed as an invoice; false: those not billed yet.",
    )
    order_by = filters.OrderingFilter(
        fields=[
            ("created_at", "created_at"),
            ("total_minor", "total_amount"),
            ("start_date", "start_date"),
            ("end_date", "end_date"),
            ("customer_id", "customer_id"),
            ("order_count", "order_count"),
            ("id", "id"),
        ],
    )

    class Meta:
        model = BillingReport
        fields = []

    def filter_created_after(self, queryset, name, value):
        return queryset.filter(created_at__gte=start_of_day(value))

    def filter_created_before(self, queryset, name, value):
        return queryset.filter(created_at__lte=end_of_day(value))

    def filter_billed(self, queryset, name, value):
        return queryset.filter(invoice__isnull=value == "false")


class OrderFilter(filters.FilterSet):
    customer_id = IdFilter(field_name="customer_id")
    reference_number = filters.CharFilter()
    date_from = DateFilter(field_name="order_date", lookup_expr="gte")
    date_to = DateFilter(field_name="order_date", lookup_expr="lte")
    ordering = filters.OrderingFilter(fields=["order_date", "reference_number", "id"])

    class Meta:
        model = Order
        fields = []


class CustomerSummaryFilter(filters.FilterSet):
    """The customer summary's one filter (its rows are the customers')."""

    customer_id = IdFilter(field_name="pk")

    class Meta:
        model = Customer
        fields = []
