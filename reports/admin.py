from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from billing_site.admin import ReadOnlyAdmin

from .api.documents import report_document, report_filename
from .api.renderers import REPORT_RENDERERS
from .models import BillingReport, BillingReportLine, Order, OrderServiceCost, Service, UsageRecord


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


class OrderServiceCostInline(admin.TabularInline):
    model = OrderServiceCost
    extra = 1
    autocomplete_fields = ["service"]
    verbose_name_plural = "service costs (amounts in cents)"


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["reference_number", "customer", "order_date", "created_at"]
    list_filter = ["order_date"]
    search_fields = ["reference_number", "customer__name", "customer__account_number"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    date_hierarchy = "order_date"
    inlines = [OrderServiceCostInline]


@admin.register(BillingReport)
class BillingReportAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "customer",
        "start_date",
        "end_date",
        "total_amount",
        "order_count",
        "created_at",
        "downloads",
    ]
    list_filter = [
        ("customer", admin.RelatedOnlyFieldListFilter),
        "start_date",
        "end_date",
        "created_at",
    ]
    search_fields = ["customer__name", "customer__account_number"]
    list_select_related = ["customer"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "total_amount", "lines", "downloads"]

    @admin.display(description="lines")
    def lines(self, report):
        url = reverse("admin:reports_billingreportline_changelist")
        return format_html(
            '<a href="{}?report__id__exact={}">{} lines</a>', url, report.pk, report.line_count
        )

    @admin.display(description="download")
    def downloads(self, report):
        return format_html_join(
            " ",
            '<a href="{}">{}</a>',
            (
                (
                    reverse("admin:reports_billingreport_download", args=[report.pk, fmt]),
                    fmt.upper(),
                )
                for fmt in REPORT_RENDERERS
            ),
        )

    def get_urls(self):
        download = self.admin_site.admin_view(self.download)
        return [
            path(
                "<int:pk>/download/<str:output_format>/",
                download,
                name="reports_billingreport_download",
            ),
            *super().get_urls(),
        ]

    def download(self, request, pk, output_format):
        report = get_object_or_404(BillingReport, pk=pk)
        if output_format not in REPORT_RENDERERS or not self.has_view_permission(request, report):
            return HttpResponse(status=404)
        response = HttpResponse(
            report_document(report, output_format),
            content_type=REPORT_RENDERERS[output_format].media_type,
        )
        filename = report_filename(report, output_format)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@admin.register(BillingReportLine)
class BillingReportLineAdmin(ReadOnlyAdmin):
    list_display = [
        "report",
        "order_id",
        "reference_number",
        "order_date",
        "service_name",
        "amount_minor",
    ]
    search_fields = ["reference_number", "service_name"]
    show_full_result_count = False

    def lookup_allowed(self, lookup, value, request=None):
        # The report page links here filtered to its lines.
        return lookup == "report__id__exact" or super().lookup_allowed(lookup, value, request)


@admin.register(UsageRecord)
class UsageRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "start_time",
        "service",
        "region",
        "resource_id",
        "duration",
        "cost",
        "customer",
    ]
    list_filter = ["service", "region", "start_time"]
    search_fields = ["resource_id", "resource_name"]
    list_select_related = ["customer"]
