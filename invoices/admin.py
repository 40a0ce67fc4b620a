from django.contrib import admin

from .models import Customer, Invoice, InvoiceLine


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    fields = [
        "position",
        "description",
        "quantity",
        "unit_price",
        "tax_rate",
        "subtotal",
        "tax",
        "total",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CustomerInvoiceInline(admin.TabularInline):
    model = Invoice
    fields = ["number", "order_id", "status", "currency", "total", "amount_paid", "due_date"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "account_number", "email", "phone", "country", "status"]
    list_filter = ["status", "country"]
    search_fields = ["name", "account_number", "email", "phone", "tax_number"]
    filter_horizontal = ["users"]
    inlines = [CustomerInvoiceInline]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Amounts and state change only through the ledger's services, so they are
    read-only here; descriptive fields stay editable."""

    list_display = [
        "number",
        "order_id",
        "customer",
        "status",
        "currency",
        "total",
        "amount_paid",
        "issue_date",
        "due_date",
    ]
    list_filter = ["status", "currency", "issue_date", "due_date"]
    search_fields = ["number", "order_id", "customer__name", "customer__account_number"]
    list_select_related = ["customer"]
    date_hierarchy = "issue_date"
    readonly_fields = [
        "number",
        "customer",
        "currency",
        "status",
        "subtotal",
        "tax",
        "total",
        "amount_paid",
        "balance",
        "customer_snapshot",
        "created_at",
        "issued_at",
        "paid_at",
        "voided_at",
    ]
    fields = [
        "number",
        "order_id",
        "customer",
        "currency",
        "status",
        "issue_date",
        "due_date",
        "period_from",
        "period_to",
        "description",
        "subtotal",
        "tax",
        "total",
        "amount_paid",
        "balance",
        "customer_snapshot",
        "created_at",
        "issued_at",
        "paid_at",
        "voided_at",
    ]
    inlines = [InvoiceLineInline]

    def has_add_permission(self, request):
        return False

    @admin.display(description="balance")
    def balance(self, obj):
        return obj.balance
