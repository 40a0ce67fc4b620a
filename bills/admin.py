"""Bills in the admin. A bill is an invoice presented through a collection: its
money and status live on the invoice, so a bill is never edited or deleted here
(deleting it would leave its invoice without its public number); a bill is
cancelled by voiding its invoice, on the invoice's page."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from billing_site.admin import (
    CurrencyInUseFilter,
    ReadOnlyAdmin,
    ReadOnlyTabularInline,
    amount_column,
)
from invoices.admin import ClientStatusFilter, status_label
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
        "product_price",
        "currency",
        "client_product_id",
        "client_organization_id",
        "created_at",
    ]
    search_fields = ["title", "code"]
    list_filter = [CurrencyInUseFilter]
    product_price = amount_column("price", ordering="price")


class ProductCollectionInline(ReadOnlyTabularInline):
    model = ProductCollection
    fields = ["product", "quantity", "created_at"]


class ChildBillInline(ReadOnlyTabularInline):
    """The bills a master's series issued, newest first."""

    model = Bill
    fk_name = "master_bill"
    fields = ["child_link", "rbill_date", "child_status", "created_at"]
    verbose_name = "bill of the series"
    verbose_name_plural = "bills of the series"
    ordering = ["-rbill_date"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("invoice")

    @admin.display(description="bill")
    def child_link(self, bill):
        url = reverse("admin:bills_bill_change", args=[bill.pk])
        return format_html('<a href="{}">{}</a>', url, bill.bill_no)

    @admin.display(description="status")
    def child_status(self, bill):
        return status_label(bill.invoice.display_status)


class RecurringFilter(admin.SimpleListFilter):
    title = "recurrence"
    parameter_name = "recurrence"

    def lookups(self, request, model_admin):
        return [("master", "masters"), ("child", "bills of a series"), ("single", "single")]

    def queryset(self, request, queryset):
        if self.value() == "master":
            return queryset.filter(recurring__isnull=False)
        if self.value() == "child":
            return queryset.filter(master_bill__isnull=False)
        if self.value() == "single":
            return queryset.filter(recurring__isnull=True, master_bill__isnull=True)
        return queryset


class BillStatusFilter(ClientStatusFilter):
    prefix = "invoice__"


class BillCurrencyFilter(CurrencyInUseFilter):
    field = "invoice__currency"


@admin.register(Bill)
class BillAdmin(ReadOnlyAdmin):
    """Bills are created through the API; their money lives on the invoice. Never
    deleted: a bill is cancelled by voiding its invoice."""

    list_display = [
        "bill_no",
        "collection",
        "customer",
        "status",
        "currency",
        "bill_total",
        "bill_paid",
        "bill_balance",
        "due",
        "recurring",
        "rbill_date",
        "created_at",
    ]
    list_filter = [
        "collection",
        BillStatusFilter,
        BillCurrencyFilter,
        RecurringFilter,
        "created_at",
    ]
    search_fields = [
        "bill_no",
        "ref1",
        "ref2",
        "invoice__customer__name",
        "invoice__customer__account_number",
    ]
    list_select_related = ["collection", "invoice__customer"]
    fields = [
        "bill_no",
        "collection",
        "invoice_link",
        "status",
        "bill_total",
        "bill_paid",
        "bill_balance",
        "ref1",
        "ref2",
        "type",
        "api_redirect",
        "quantity_label",
        "is_metric",
        "recurring",
        "recurring_end_date",
        "rbill_date",
        "recurring_stopped_at",
        "master_link",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [ProductCollectionInline, ChildBillInline]
    bill_total = amount_column(
        "invoice.total", "invoice.currency", description="total", ordering="invoice__total"
    )
    bill_paid = amount_column(
        "invoice.amount_paid",
        "invoice.currency",
        description="paid",
        ordering="invoice__amount_paid",
    )
    bill_balance = amount_column("invoice.balance", "invoice.currency", description="balance")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("invoice__customer", "master_bill")

    @admin.display(description="customer")
    def customer(self, bill):
        return bill.invoice.customer.name

    @admin.display(description="status", ordering="invoice__status")
    def status(self, bill):
        return status_label(bill.invoice.display_status)

    @admin.display(description="currency", ordering="invoice__currency")
    def currency(self, bill):
        return bill.invoice.currency

    @admin.display(description="due", ordering="invoice__due_date")
    def due(self, bill):
        return bill.invoice.due_date

    @admin.display(description="master bill")
    def master_link(self, bill):
        if bill.master_bill_id is None:
            return "-"
        url = reverse("admin:bills_bill_change", args=[bill.master_bill_id])
        return format_html('<a href="{}">{}</a>', url, bill.master_bill)

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

    def has_change_permission(self, request, obj=None):
        return False


# An invoice that is a bill shows it. The invoice admin registered last (by the
# payments app, which adds payments) is extended, whichever class that is.
_registered = admin.site._registry[Invoice].__class__
admin.site.unregister(Invoice)


@admin.register(Invoice)
class InvoiceWithBillAdmin(_registered):
    inlines = [*_registered.inlines, BillInline]
