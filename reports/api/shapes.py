"""The objects of document 003, each declared once: the OpenAPI schema and the
answers (JSON, CSV, PDF) all come from these serializers, which only write. Amounts are JSON
numbers with the currency's places (``1500.00``), as the document shows them;
render them with ``NumberJSONRenderer``."""

from rest_framework import serializers

from billing_site.api.numbers import MoneyNumberField
from reports.models import BillingReport, Order


class ReportSerializer(serializers.ModelSerializer):
    """A report in the list (and the head of its detail). ``currency`` is not in
    the document's example; it says what the amounts count."""

    customer_id = serializers.IntegerField()
    customer_name = serializers.CharField(source="customer.name")
    total_amount = MoneyNumberField()

    class Meta:
        model = BillingReport
        fields = [
            "id",
            "customer_id",
            "customer_name",
            "start_date",
            "end_date",
            "created_at",
            "total_amount",
            "order_count",
            "currency",
        ]


class ServiceTotalSerializer(serializers.Serializer):
    service_name = serializers.CharField()
    amount = MoneyNumberField()


class ServiceCostSerializer(serializers.Serializer):
    service_id = serializers.IntegerField()
    service_name = serializers.CharField()
    amount = MoneyNumberField()


class ReportOrderSerializer(serializers.Serializer):
    """An order line of a report: one order as it was when the report was made."""

    order_id = serializers.IntegerField()
    reference_number = serializers.CharField()
    order_date = serializers.DateField()
    total_amount = MoneyNumberField()
    service_costs = ServiceCostSerializer(many=True)


class ReportDetailSerializer(ReportSerializer):
    """A report with its totals per service (keyed by service id) and its orders,
    read by ``selectors.report_with_orders``."""

    service_totals = serializers.DictField(
        child=ServiceTotalSerializer(), source="service_total_amounts"
    )
    orders = ReportOrderSerializer(many=True, source="frozen_orders")

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "service_totals", "orders"]


class CustomerSummarySerializer(serializers.Serializer):
    """A customer's reports in one currency (``selectors.customer_summary_rows``)."""

    customer_id = serializers.IntegerField()
    customer_name = serializers.CharField()
    report_count = serializers.IntegerField()
    total_amount = MoneyNumberField()
    currency = serializers.CharField()
    first_report = serializers.DateTimeField()
    latest_report = serializers.DateTimeField()


class OrderServiceCostSerializer(serializers.Serializer):
    service_id = serializers.IntegerField()
    service_name = serializers.CharField(source="service.name")
    amount = MoneyNumberField()


class OrderSerializer(serializers.ModelSerializer):
    """An order as ``/api/v2/orders/`` answers it: the data reports are made of,
    its amounts written as the reports write theirs."""

    customer_id = serializers.IntegerField()
    total_amount = MoneyNumberField()
    service_costs = OrderServiceCostSerializer(many=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "customer_id",
            "reference_number",
            "order_date",
            "total_amount",
            "service_costs",
            "created_at",
        ]
