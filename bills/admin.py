from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from billing_site.admin import ReadOnlyTabularInline
from invoices.models import Invoice

from .models import Bill, Collection, Product, ProductCollection


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "organization_name", "created_at"]
    search_fields = ["code", "title", "organization_name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "code",
        "price",
        "currency",
        "client_product_id",
        "client_organization_id",
        "created_at",
    ]
    search_fields = ["title", "code"]
    list_filter = ["currency"]


class ProductCollectionInline(ReadOnlyTabularInline):
    model = ProductCollection
    fields = ["product", "quantity", "created_at"]


class BillStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(status, status) for status, _ in Invoice.Status.choices]

    def queryset(self, request, queryset):
        return queryset.filter(invoice__status=self.value()) if self.value() else queryset


@admin.register(Bill)
class BillAdmin(admin.ModelAdmin):
    """Bills are created through the API; their money lives on the invoice."""

    list_display = [
        "bill_no",
        "collection",
        "customer",
        "status",
        "total",
        "paid",
        "due",
        "created_at",
    ]
    list_filter = ["collection", BillStatusFilter, "created_at"]
    search_fields = [
        "bill_no",
        "ref1",
        "ref2",
        "invoice__customer__name",
        "invoice__customer__account_number",
    ]
    list_select_related = ["collection", "invoice__customer"]
    readonly_fields = [
        "bill_no",
        "collection",
        "invoice_link",
        "ref1",
        "ref2",
        "type",
        "api_redirect",
        "quantity_label",
        "is_metric",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    inlines = [ProductCollectionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="customer")
    def customer(self, bill):
        return bill.invoice.customer.name

    @admin.display(description="status")
    def status(self, bill):
        return bill.invoice.display_status

    @admin.display(description="total")
    def total(self, bill):
        return f"{bill.invoice.total} {bill.invoice.currency}"

    @admin.display(description="paid")
    def paid(self, bill):
        return bill.invoice.amount_paid

    @admin.display(description="due")
    def due(self, bill):
        return bill.invoice.due_date

    @admin.display(description="invoice (amounts, lines and payments)")
    def invoice_link(self, bill):
        url = reverse("admin:invoices_invoice_change", args=[bill.invoice_id])
        return format_html('<a href="{}">{}</a>', url, bill.invoice)


class BillInline(admin.StackedInline):
    model = Bill
    fields = ["bill_no", "collection", "ref1", "ref2"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


# An invoice that is a bill shows it. The invoice admin registered last (by the
# payments app, which adds payments) is extended, whichever class that is.
_registered = admin.site._registry[Invoice].__class__
admin.site.unregister(Invoice)


@admin.register(Invoice)
class InvoiceWithBillAdmin(_registered):
    inlines = [*_registered.inlines, BillInline]
