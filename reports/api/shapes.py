"""The objects of document 003, each declared once: the OpenAPI schema and the
answers (JSON, CSV, PDF) all come from these serializers, which only write. Amounts are JSON
numbers with the currency's places (``1500.00``), as the document shows them;
render them with ``NumberJSONRenderer``."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing_site.api.numbers import MoneyNumberField
from invoices.api.serializers import ClientStatusField, InvoiceSerializer
from reports.models import BillingReport, Order


def invoice_path(invoice) -> str:
    """The invoice's path in the invoices face (document 001)."""
    return reverse("invoice-detail", args=[invoice.pk])


class ReportInvoiceLinkSerializer(serializers.Serializer):
    """The invoice a report was billed as (``POST /api/v2/reports/{id}/invoice``):
    its status as the invoices face shows it, what was paid and given back of it."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    status = ClientStatusField()
    amount_paid = MoneyNumberField(read_only=True)
    amount_refunded = MoneyNumberField(read_only=True)
    balance = MoneyNumberField(read_only=True)
    url = serializers.SerializerMethodField(help_text="Its path in the invoices API.")

    @extend_schema_field({"type": "string", "example": "/api/v1/invoices/42"})
    def get_url(self, invoice) -> str:
        return invoice_path(invoice)


class ReportSerializer(serializers.ModelSerializer):
    """A report in the list (and the head of its detail). ``currency`` is not in
    the document's example; it says what the amounts count. ``invoice`` neither:
    the invoice the report was billed as, null until it is (read with the report
    by ``selectors.report_list``)."""

    customer_id = serializers.IntegerField()
    customer_name = serializers.CharField(source="customer.name")
    total_amount = MoneyNumberField()
    invoice = ReportInvoiceLinkSerializer(allow_null=True, read_only=True)

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
            "invoice",
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


class ReportInvoiceSerializer(InvoiceSerializer):
    """The answer to billing a report: the invoice as the invoices face shows it
    (document 001's invoice), with its ``url`` there and the ``report_id`` it bills."""

    url = serializers.SerializerMethodField(help_text="Its path in the invoices API.")
    report_id = serializers.IntegerField(source="billing_report.pk")

    class Meta(InvoiceSerializer.Meta):
        fields = ["url", "report_id", *InvoiceSerializer.Meta.fields]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "example": "/api/v1/invoices/42"})
    def get_url(self, invoice) -> str:
        return invoice_path(invoice)


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
