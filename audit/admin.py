from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html

from billing_site.admin import ReadOnlyAdmin

from .models import RequestLog


class StatusClassFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status_class"

    def lookups(self, request, model_admin):
        return [
            ("2", "2xx success"),
            ("3", "3xx redirect"),
            ("4", "4xx client error"),
            ("5", "5xx server error"),
        ]

    def queryset(self, request, queryset):
        if self.value() in {"2", "3", "4", "5"}:
            low = int(self.value()) * 100
            return queryset.filter(status_code__gte=low, status_code__lt=low + 100)
        return queryset


@admin.register(RequestLog)
class RequestLogAdmin(ReadOnlyAdmin):
    """Read-only: the log is evidence, staff browse it but never edit or delete
    it; old rows leave by the retention command (``purge_request_logs``)."""

    list_display = [
        "time",
        "method",
        "endpoint",
        "status_code",
        "user",
        "client_address",
        "duration",
        "request_id",
    ]
    list_filter = [StatusClassFilter, "status_code", "method", "timestamp"]
    search_fields = ["endpoint", "request_id"]
    date_hierarchy = "timestamp"
    list_select_related = ["user"]
    show_full_result_count = False
    fields = [
        "time",
        "method",
        "endpoint",
        "query_string",
        "status_code",
        "duration",
        "request_id",
        "user",
        "client_address",
        "request_body",
        "response_body",
    ]

    @admin.display(description="time", ordering="timestamp")
    def time(self, log):
        # To the second, in the site's time zone: requests are told apart by it.
        moment = timezone.localtime(log.timestamp)
        return format_html('<span class="nowrap">{}</span>', f"{moment:%Y-%m-%d %H:%M:%S}")

    @admin.display(description="duration (ms)", ordering="duration_ms")
    def duration(self, log):
        return f"{log.duration_ms:,.1f}"
