from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from billing_site.admin import ReadOnlyTabularInline
from billing_site.errors import BillingError

from . import receipts, services
from .models import Customer, Invoice, InvoiceLine, InvoiceRevision


def _apply(modeladmin, request, queryset, service, done: str):
    """Run a state-changing service on each selected invoice, reporting refusals."""
    changed = 0
    for invoice in queryset:
        try:
            service(invoice=invoice)
            changed += 1
        except BillingError as exc:
            modeladmin.message_user(request, exc.message, messages.WARNING)
    if changed:
        modeladmin.message_user(request, f"{changed} invoice(s) {done}.", messages.SUCCESS)


@admin.action(description="Issue the selected draft invoices", permissions=["change"])
def issue_invoices(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, services.invoice_issue, "issued")


@admin.action(description="Void the selected invoices", permissions=["change"])
def void_invoices(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, services.invoice_void, "voided")


@admin.action(description="Download the receipt PDF (one invoice)", permissions=["view"])
def download_receipt(modeladmin, request, queryset):
    if queryset.count() != 1:
        modeladmin.message_user(request, "Select exactly one invoice.", messages.WARNING)
        return None
    return redirect(_receipt_url(queryset.get()))


def _receipt_url(invoice) -> str:
    return reverse("invoice-receipt-pdf", kwargs={"token": receipts.receipt_token(invoice)})


class InvoiceLineInline(ReadOnlyTabularInline):
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


class InvoiceRevisionInline(ReadOnlyTabularInline):
    """What changed on the invoice after it was issued, by whom: a record, never edited."""

    model = InvoiceRevision
    fields = ["changed_at", "changed_by", "before", "after"]
    verbose_name_plural = "Revisions after issue"

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("invoice", "changed_by")


class CustomerInvoiceInline(ReadOnlyTabularInline):
    model = Invoice
    fields = ["number", "order_id", "status", "currency", "total", "amount_paid", "due_date"]
    show_change_link = True


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
        "receipt",
        "customer_snapshot",
        "created_at",
        "issued_at",
        "paid_at",
        "voided_at",
    ]
    # A draft's descriptive fields stay editable; amounts and state change only
    # through the services (the actions), and an issued invoice not at all.
    draft_editable = [
        "order_id",
        "issue_date",
        "due_date",
        "period_from",
        "period_to",
        "description",
    ]
    inlines = [InvoiceLineInline, InvoiceRevisionInline]
    actions = [issue_invoices, void_invoices, download_receipt]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == Invoice.Status.DRAFT:
            return [field for field in self.fields if field not in self.draft_editable]
        return self.fields

    def save_model(self, request, obj, form, change):
        services.invoice_update(
            invoice=obj, **{field: form.cleaned_data[field] for field in form.changed_data}
        )

    def has_add_permission(self, request):
        return False

    @admin.display(description="balance")
    def balance(self, obj):
        return obj.balance

    @admin.display(description="receipt")
    def receipt(self, obj):
        if obj.pk is None or obj.status == Invoice.Status.DRAFT:
            return "-"
        return format_html('<a href="{}" target="_blank">Receipt PDF</a>', _receipt_url(obj))
