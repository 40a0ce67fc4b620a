from django.contrib import admin

from billing_site.admin import ReadOnlyAdmin

from .models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    """The emails the ledger's events asked for: to whom, and what became of them."""

    list_display = ["created_at", "kind", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject", "event__id"]
    date_hierarchy = "created_at"
