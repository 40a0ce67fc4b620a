from django.contrib import admin

from billing_site.admin import ReadOnlyAdmin, ReadOnlyTabularInline
from invoices.admin import InvoiceAdmin
from invoices.models import Invoice

from .models import Payment

_PAYMENT_FIELDS = [
    "paid_at",
    "amount",
    "currency",
    "method",
    "provider",
    "provider_reference",
    "card_brand",
    "card_last4",
    "recorded_by",
]


class PaymentInline(ReadOnlyTabularInline):
    model = Payment
    fields = _PAYMENT_FIELDS


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    """Payments are ledger entries: recorded by the services, never edited here."""

    list_display = [
        "paid_at",
        "invoice",
        "amount",
        "currency",
        "method",
        "provider",
        "provider_reference",
    ]
    list_filter = ["method", "provider", "currency", "paid_at"]
    search_fields = ["invoice__number", "invoice__order_id", "provider_reference"]
    list_select_related = ["invoice"]
    date_hierarchy = "paid_at"


# The invoice page shows its payments too; invoices cannot know payments, so
# the inline is added from here.
admin.site.unregister(Invoice)


@admin.register(Invoice)
class InvoiceWithPaymentsAdmin(InvoiceAdmin):
    inlines = [*InvoiceAdmin.inlines, PaymentInline]
