"""The invoices admin. It keeps the ledger as the API does: amounts and status
change only through the services, which take the same locks and make the same
checks for both. An invoice's page offers the moves (Issue, Void; the payments
app adds Record payment) as buttons to a page that asks first and POSTs. Only a
draft is edited or deleted; an issued invoice is voided, never deleted, so its
number and amounts stay in the ledger."""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from billing_site.admin import (
    CurrencyInUseFilter,
    ReadOnlyTabularInline,
    amount_column,
    document_lines_inline,
)
from billing_site.documents import formatting
from billing_site.errors import BillingError
from billing_site.money import format_for_people

from . import receipts, services
from .models import (
    STATUS_IDS,
    Customer,
    Invoice,
    InvoiceLine,
    InvoiceReminder,
    InvoiceRevision,
    billing_today,
    client_status_condition,
)


def status_label(status: str) -> str:
    """A client status as staff read it: ``partially_paid`` is "Partially paid"."""
    return formatting.label(status, Invoice.Status.choices)


# The statuses clients see, and all that is owed: open, paid in part or not at all.
FILTERED_STATUSES = [
    *[(status, status_label(status)) for status in STATUS_IDS],
    ("unpaid", "Unpaid (open or partially paid)"),
]


class ClientStatusFilter(admin.SimpleListFilter):
    """By the status clients see, ``partially_paid`` included, with the same
    condition as the API (``client_status_condition``); ``prefix`` reaches the
    invoice from another model (``"invoice__"``)."""

    title = "status"
    parameter_name = "status"
    prefix = ""

    def lookups(self, request, model_admin):
        return FILTERED_STATUSES

    def queryset(self, request, queryset):
        if self.value() not in dict(FILTERED_STATUSES):
            return queryset
        return queryset.filter(client_status_condition(self.value(), self.prefix))


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue (due before today, not paid)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue(timezone.localdate())
        return queryset


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
    return redirect(receipts.receipt_path(queryset.get()))


@admin.action(description="Delete the selected draft invoices", permissions=["delete"])
def delete_drafts(modeladmin, request, queryset):
    """Django's delete (its confirmation page lists what cannot be deleted: every
    issued invoice), through ``invoice_delete_drafts``, which refuses one issued
    since the page was shown."""
    try:
        return delete_selected(modeladmin, request, queryset)
    except BillingError as exc:
        modeladmin.message_user(request, exc.message, messages.ERROR)
        return None


@dataclass(frozen=True)
class InvoiceMove:
    """A move of an invoice's status offered on its page, made by a ledger service."""

    name: str  # the URL's last segment
    label: str
    service: Callable[..., Invoice]
    done: str
    question: str  # asked before the move, formatted with the invoice
    offered: Callable[[Invoice], bool]  # the services' rule, to show the button or not


MOVES = {
    move.name: move
    for move in (
        InvoiceMove(
            name="issue",
            label="Issue",
            service=services.invoice_issue,
            done="issued",
            question=(
                "Issue invoice {invoice.number}? Its number, its customer's details and "
                "its issue date are fixed from then on; it can be paid, and it is voided, "
                "never deleted."
            ),
            offered=lambda invoice: invoice.status == Invoice.Status.DRAFT,
        ),
        InvoiceMove(
            name="void",
            label="Void",
            service=services.invoice_void,
            done="voided",
            question=(
                "Void invoice {invoice.number}? It stays in the ledger, marked void, and "
                "can no longer be paid or changed. This cannot be undone."
            ),
            offered=lambda invoice: (
                invoice.status in (Invoice.Status.DRAFT, Invoice.Status.OPEN)
                and invoice.amount_paid == 0
                and invoice.amount_credited == 0
            ),
        ),
    )
}


InvoiceLineInline = document_lines_inline(InvoiceLine, "invoice", first=("position",))


class InvoiceRevisionInline(ReadOnlyTabularInline):
    """What changed on the invoice after it was issued, by whom: a record, never edited."""

    model = InvoiceRevision
    fields = ["changed_at", "changed_by", "before", "after"]
    verbose_name_plural = "Revisions after issue"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("invoice", "changed_by")


class InvoiceReminderInline(ReadOnlyTabularInline):
    """The reminders sent of the invoice while it was overdue: a record, never edited."""

    model = InvoiceReminder
    fields = ["stage", "days_overdue", "due_date", "sent_at", "event"]
    verbose_name_plural = "Reminders sent (overdue)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event")


class CustomerInvoiceInline(ReadOnlyTabularInline):
    model = Invoice
    fields = [
        "number",
        "order_id",
        "client_status",
        "currency",
        "total_amount",
        "paid_amount",
        "due_date",
    ]
    show_change_link = True
    total_amount = amount_column("total")
    paid_amount = amount_column("amount_paid", description="amount paid")

    @admin.display(description="status")
    def client_status(self, invoice):
        return status_label(invoice.status_with_refunds)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "account_number", "email", "phone", "country", "status"]
    list_filter = ["status", "country"]
    search_fields = ["name", "account_number", "email", "phone", "tax_number"]
    filter_horizontal = ["users"]
    inlines = [CustomerInvoiceInline]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Amounts and state change only through the ledger's services (the buttons
    on an invoice's page and the list's actions). A draft's descriptive fields
    are edited here and a draft may be deleted; an issued invoice's page is
    read-only, with no Save or Delete, and it is voided rather than deleted."""

    list_display = [
        "number",
        "order_id",
        "customer",
        "client_status",
        "currency",
        "total_amount",
        "paid_amount",
        "balance_amount",
        "issue_date",
        "due_date",
        "overdue",
        "reminders_sent",
    ]
    list_filter = [
        ClientStatusFilter,
        OverdueFilter,
        CurrencyInUseFilter,
        "issue_date",
        "due_date",
    ]
    search_fields = ["number", "order_id", "customer__name", "customer__account_number"]
    list_select_related = ["customer"]
    date_hierarchy = "issue_date"
    fields = [
        "number",
        "order_id",
        "customer",
        "currency",
        "client_status",
        "overdue",
        "issue_date",
        "due_date",
        "period_from",
        "period_to",
        "description",
        "subtotal_amount",
        "tax_amount",
        "total_amount",
        "paid_amount",
        "refunded_amount",
        "balance_amount",
        "receipt",
        "customer_snapshot",
        "created_at",
        "issued_at",
        "paid_at",
        "voided_at",
    ]
    # A draft's descriptive fields stay editable; amounts and state change only
    # through the services (the buttons and actions), and an issued invoice not at all.
    draft_editable = [
        "order_id",
        "issue_date",
        "due_date",
        "period_from",
        "period_to",
        "description",
    ]
    inlines = [InvoiceLineInline, InvoiceRevisionInline, InvoiceReminderInline]
    actions = [issue_invoices, void_invoices, download_receipt]
    subtotal_amount = amount_column("subtotal", ordering="subtotal")
    tax_amount = amount_column("tax", ordering="tax")
    total_amount = amount_column("total", ordering="total")
    paid_amount = amount_column("amount_paid", description="amount paid", ordering="amount_paid")
    refunded_amount = amount_column("amount_refunded", description="amount refunded")
    balance_amount = amount_column("balance")

    def get_queryset(self, request):
        # The reminders column reads them all in one more query, not one per row.
        return super().get_queryset(request).prefetch_related("reminders")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == Invoice.Status.DRAFT:
            return [field for field in self.fields if field not in self.draft_editable]
        return self.fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        """Only a draft's page saves; an issued invoice changes through its moves."""
        if obj is not None and obj.status != Invoice.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != Invoice.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.invoice_update(
            invoice=obj, **{field: form.cleaned_data[field] for field in form.changed_data}
        )

    def delete_model(self, request, obj):
        services.invoice_delete_drafts(invoice_ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        services.invoice_delete_drafts(invoice_ids=list(queryset.values_list("pk", flat=True)))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:  # the user may delete: drafts only
            actions["delete_selected"] = (
                delete_drafts,
                "delete_selected",
                delete_drafts.short_description,
            )
        return actions

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A draft issued by someone else since its page was shown is refused by
        # the service: say so on its page (the admin's transaction is rolled back).
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except BillingError as exc:
            return self._refused(request, exc, object_id)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except BillingError as exc:
            return self._refused(request, exc, object_id)

    def _refused(self, request, exc: BillingError, object_id):
        self.message_user(request, exc.message, messages.ERROR)
        return redirect("admin:invoices_invoice_change", object_id)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["ledger_buttons"] = self.ledger_buttons(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def ledger_buttons(self, request, invoice: Invoice) -> list[tuple[str, str]]:
        """(label, url) of the moves offered on the invoice's page to this user."""
        if not self.has_change_permission(request):
            return []
        return [
            (move.label, reverse(f"admin:invoices_invoice_{move.name}", args=[invoice.pk]))
            for move in MOVES.values()
            if move.offered(invoice)
        ]

    def get_urls(self):
        moves = [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(self.move_view),
                {"move_name": name},
                name=f"invoices_invoice_{name}",
            )
            for name in MOVES
        ]
        return [*moves, *super().get_urls()]

    def ledger_page(self, request, invoice: Invoice, template: str, **context):
        """A page of the invoice's moves, under the invoice in the breadcrumbs."""
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "invoice": invoice,
                "change_url": reverse("admin:invoices_invoice_change", args=[invoice.pk]),
                **context,
            },
        )

    def ledger_invoice(self, request, object_id) -> Invoice:
        invoice = self.get_object(request, unquote(object_id))
        if invoice is None:
            raise Http404(f"Invoice {object_id} does not exist.")
        return invoice

    def move_view(self, request, object_id, move_name):
        """GET asks; POST makes the move through its service, which locks the
        row and refuses what the API refuses (its message is shown)."""
        move = MOVES[move_name]
        invoice = self.ledger_invoice(request, object_id)
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            try:
                move.service(invoice=invoice)
            except BillingError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.log_change(request, invoice, f"{move.done.capitalize()}.")
                self.message_user(
                    request, f"Invoice {invoice.number} {move.done}.", messages.SUCCESS
                )
            return redirect("admin:invoices_invoice_change", invoice.pk)
        if not move.offered(invoice):
            self.message_user(
                request,
                f"Invoice {invoice.number} is {status_label(invoice.display_status).lower()}: "
                f"it cannot be {move.done}.",
                messages.WARNING,
            )
            return redirect("admin:invoices_invoice_change", invoice.pk)
        return self.ledger_page(
            request,
            invoice,
            "admin/invoices/invoice/confirm_move.html",
            title=f"{move.label} invoice {invoice.number}",
            move=move,
            question=move.question.format(invoice=invoice),
            total=format_for_people(invoice.total, invoice.currency),
        )

    @admin.display(description="status", ordering="status")
    def client_status(self, invoice):
        return status_label(invoice.status_with_refunds)

    @admin.display(description="overdue")
    def overdue(self, invoice):
        """Days past the due date while open and due before today (TIME_ZONE)."""
        days = invoice.days_overdue(billing_today()) if invoice.pk else 0
        return f"{days} day{'s' if days != 1 else ''}" if days else "-"

    @admin.display(description="reminders")
    def reminders_sent(self, invoice):
        """The stages (days after the due date) whose reminder was sent."""
        stages = [str(reminder.stage) for reminder in invoice.reminders.all()]
        return ", ".join(stages) or "-"

    @admin.display(description="customer snapshot")
    def customer_snapshot(self, invoice):
        """The customer as frozen at issue, as JSON; "-" for a draft."""
        snapshot = invoice.customer_snapshot
        return json.dumps(snapshot, ensure_ascii=False) if snapshot else "-"

    @admin.display(description="documents")
    def receipt(self, obj):
        if obj.pk is None or obj.status == Invoice.Status.DRAFT:
            return "-"
        return format_html(
            '<a href="{}" target="_blank">Invoice PDF</a> · '
            '<a href="{}" target="_blank">Receipt PDF</a> (the invoice while nothing is paid)',
            receipts.invoice_pdf_path(obj),
            receipts.receipt_path(obj),
        )
