from django.contrib import admin

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
    """Read-only: the log is evidence, staff browse it but never edit it."""

    list_display = [
        "timestamp",
        "method",
        "endpoint",
        "status_code",
        "user",
        "client_address",
        "duration_ms",
        "request_id",
    ]
    list_filter = [StatusClassFilter, "status_code", "method", "timestamp"]
    search_fields = ["endpoint", "request_id"]
    date_hierarchy = "timestamp"
    list_select_related = ["user"]
    show_full_result_count = False
