from django.contrib import admin

from billing_site.admin import ReadOnlyAdmin

from .models import Event


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The outbox as staff read it: what happened, when it was relayed."""

    list_display = ["created_at", "type", "id", "customer_id", "relayed_at"]
    list_filter = ["type", ("relayed_at", admin.EmptyFieldListFilter)]
    search_fields = ["id", "type"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]  # what happened last, first
