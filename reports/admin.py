"""Reports in the admin. Amounts are stored in minor units (cents) and shown and
entered in currency units with the currency's places. A generated report is a
frozen document: never edited or deleted here (a new one is generated for a
corrected period); its lines and the usage records are read-only too. Orders,
the data reports are made of, are entered and deleted here as in the API: a
report already generated keeps its own copy of their costs."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from billing_site.admin import CurrencyInUseFilter, ReadOnlyAdmin, amount_column
from billing_site.errors import BillingError
from billing_site.money import (
    MoneyError,
    format_amount,
    format_for_people,
    format_min_places,
    from_minor,
    parse_amount,
    to_minor,
)

from .api.documents import report_attachment, report_document_parts
from .api.renderers import REPORT_RENDERERS
from .api.serializers import MAX_SERVICE_COST
from .models import BillingReport, BillingReportLine, Order, OrderServiceCost, Service, UsageRecord
from .services import report_bill

# What the admin's downloads ask of the renderers: a CSV with a byte-order mark,
# so that spreadsheets read it as UTF-8.
DOWNLOAD_CONTEXT = {"csv": {"bom": True}}


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


class ServiceCostForm(forms.ModelForm):
    """A service cost entered in currency units ("12.50"), as the API takes it,
    and stored in minor units (1250): converted exactly, never rounded, so an
    amount more precise than the currency is refused."""

    amount = forms.CharField(max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"}))

    class Meta:
        model = OrderServiceCost
        fields = ["service"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = settings.DEFAULT_CURRENCY
        self.fields["amount"].label = f"amount ({self.currency})"
        if self.instance.pk is not None:
            self.fields["amount"].initial = format_amount(self.instance.amount, self.currency)

    def clean_amount(self):
        try:
            amount = parse_amount(self.cleaned_data["amount"], self.currency)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from None
        if amount >= MAX_SERVICE_COST:
            raise forms.ValidationError(f"Must be below {MAX_SERVICE_COST:,}.")
        return amount

    def save(self, commit=True):
        self.instance.amount_minor = to_minor(self.cleaned_data["amount"], self.currency)
        return super().save(commit)


class OrderServiceCostInline(admin.TabularInline):
    model = OrderServiceCost
    form = ServiceCostForm
    extra = 1
    autocomplete_fields = ["service"]
    verbose_name_plural = "service costs"


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["reference_number", "customer", "order_date", "order_total", "created_at"]
    list_filter = ["order_date"]
    search_fields = ["reference_number", "customer__name", "customer__account_number"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    date_hierarchy = "order_date"
    inlines = [OrderServiceCostInline]
    order_total = amount_column("total_amount", description="total")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("service_costs")


@admin.action(description="Bill the selected reports (issued invoices)", permissions=["bill"])
def bill_reports(modeladmin, request, queryset):
    """Each selected report billed as the API bills it (``report_bill``): an
    issued invoice, made once; a report billed before keeps its invoice."""
    made = kept = 0
    for report in queryset:
        try:
            _, created = report_bill(report=report)
        except BillingError as exc:
            modeladmin.message_user(request, exc.message, messages.WARNING)
            continue
        made, kept = made + created, kept + (not created)
    if made:
        modeladmin.message_user(request, f"{made} report(s) billed.", messages.SUCCESS)
    if kept:
        modeladmin.message_user(request, f"{kept} report(s) were billed before.", messages.INFO)


@admin.register(BillingReport)
class BillingReportAdmin(ReadOnlyAdmin):
    """Reports are generated (API, command), frozen, and never deleted; billed
    once (the action, or the API), each shows its invoice."""

    list_display = [
        "id",
        "customer",
        "start_date",
        "end_date",
        "report_total",
        "currency",
        "order_count",
        "invoice_link",
        "created_at",
        "downloads",
    ]
    list_filter = [
        ("customer", admin.RelatedOnlyFieldListFilter),
        CurrencyInUseFilter,
        "start_date",
        "end_date",
        "created_at",
    ]
    search_fields = ["customer__name", "customer__account_number"]
    list_select_related = ["customer", "invoice"]
    date_hierarchy = "created_at"
    fields = [
        "id",
        "customer",
        "start_date",
        "end_date",
        "currency",
        "report_total",
        "service_total_table",
        "order_count",
        "lines",
        "invoice_link",
        "created_at",
        "downloads",
    ]
    actions = [bill_reports]
    report_total = amount_column("total_amount", description="total", ordering="total_minor")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer", "invoice")

    def has_bill_permission(self, request):
        return request.user.has_perms(["reports.view_billingreport", "invoices.add_invoice"])

    @admin.display(description="invoice", ordering="invoice__number")
    def invoice_link(self, report):
        invoice = report.invoice
        if invoice is None:
            return "—"
        url = reverse("admin:invoices_invoice_change", args=[invoice.pk])
        return format_html('<a href="{}">{}</a> ({})', url, invoice.number, invoice.display_status)

    @admin.display(description="totals by service")
    def service_total_table(self, report):
        rows = sorted(
            (total["service_name"], total["amount"], total["currency"])
            for total in report.service_total_amounts.values()
        )
        return format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join(
                "",
                '<tr><td>{}</td><td style="text-align: right">{} {}</td></tr>',
                (
                    (name, format_for_people(amount, currency), currency)
                    for name, amount, currency in rows
                ),
            ),
        )

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
        renderer = REPORT_RENDERERS[output_format]
        content_type = renderer.media_type
        if renderer.charset:
            content_type += f"; charset={renderer.charset}"
        response = StreamingHttpResponse(
            report_document_parts(report, output_format, DOWNLOAD_CONTEXT.get(output_format)),
            content_type=content_type,
        )
        for header, value in report_attachment(report, output_format).items():
            response[header] = value
        return response


@admin.register(BillingReportLine)
class BillingReportLineAdmin(ReadOnlyAdmin):
    list_display = [
        "report",
        "order_id",
        "reference_number",
        "order_date",
        "service_name",
        "line_amount",
    ]
    search_fields = ["reference_number", "service_name"]
    list_select_related = ["report__customer"]
    show_full_result_count = False
    fields = [
        "report",
        "order_id",
        "reference_number",
        "order_date",
        "service_id",
        "service_name",
        "line_amount",
    ]

    @admin.display(description="amount", ordering="amount_minor")
    def line_amount(self, line):
        currency = line.report.currency
        return f"{format_for_people(from_minor(line.amount_minor, currency), currency)} {currency}"

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
        "usage_cost",
        "customer",
    ]
    list_filter = ["service", "region", "start_time"]
    search_fields = ["resource_id", "resource_name"]
    list_select_related = ["customer"]
    fields = [
        "customer",
        "resource_id",
        "resource_name",
        "service",
        "region",
        "start_time",
        "end_time",
        "duration",
        "usage_cost",
        "created_at",
    ]

    @admin.display(description="cost", ordering="cost")
    def usage_cost(self, record):
        # Metered costs carry fractions of a cent (0.000125): all of them are shown.
        return format_min_places(record.cost, 2)
