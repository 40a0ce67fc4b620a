from django.contrib import admin

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


class PaymentInline(admin.TabularInline):
    model = Payment
    fields = _PAYMENT_FIELDS
    readonly_fields = _PAYMENT_FIELDS
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
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

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The invoice page shows its payments too; invoices cannot know payments, so
# the inline is added from here.
admin.site.unregister(Invoice)


@admin.register(Invoice)
class InvoiceWithPaymentsAdmin(InvoiceAdmin):
    inlines = [*InvoiceAdmin.inlines, PaymentInline]
