"""Credit notes in the admin: read-only records, issued through the credit
service from an invoice's page (as the API issues them: the invoice locked,
what it can still be credited checked again), never edited or deleted here.
The customer's page shows its credit per currency and its credit ledger."""

from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from billing_site.admin import (
    ReadOnlyAdmin,
    ReadOnlyTabularInline,
    amount_column,
    document_lines_inline,
)
from billing_site.errors import BillingError
from billing_site.money import format_for_people
from invoices.admin import CustomerAdmin
from invoices.models import Customer, Invoice
from invoices.receipts import pdf_filename

from . import selectors, services
from .documents import credit_note_document
from .forms import CreditNoteIssueForm
from .models import CreditNote, CreditNoteLine, CustomerCreditEntry

ISSUE_CREDIT_NOTE = "credits.add_creditnote"


CreditNoteLineInline = document_lines_inline(CreditNoteLine, "credit_note")


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "invoice",
        "customer",
        "mode",
        "currency",
        "total_amount",
        "issued_at",
    ]
    list_filter = ["mode", "currency", "issued_at"]
    search_fields = ["number", "invoice__number", "customer__name", "customer__account_number"]
    list_select_related = ["invoice", "customer"]
    date_hierarchy = "issued_at"
    fields = [
        "number",
        "invoice",
        "customer",
        "mode",
        "reason",
        "currency",
        "subtotal_amount",
        "tax_amount",
        "total_amount",
        "issued_at",
        "issued_by",
        "document",
    ]
    inlines = [CreditNoteLineInline]
    subtotal_amount = amount_column("subtotal")
    tax_amount = amount_column("tax")
    total_amount = amount_column("total", ordering="total")

    def get_urls(self):
        pdf = path(
            "<path:object_id>/pdf/",
            self.admin_site.admin_view(self.pdf_view),
            name="credits_creditnote_pdf",
        )
        return [pdf, *super().get_urls()]

    def pdf_view(self, request, object_id):
        note = self.get_object(request, object_id)
        if note is None or not self.has_view_permission(request, note):
            raise PermissionDenied
        response = HttpResponse(credit_note_document(note).pdf(), content_type="application/pdf")
        name = pdf_filename(f"credit_note_{note.number}")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response

    @admin.display(description="document")
    def document(self, note):
        url = reverse("admin:credits_creditnote_pdf", args=[note.pk])
        return format_html('<a href="{}" target="_blank">Credit note PDF</a>', url)


@admin.register(CustomerCreditEntry)
class CustomerCreditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "customer", "credit_note", "invoice", "entry_amount", "currency"]
    list_filter = ["currency"]
    search_fields = ["customer__name", "credit_note__number", "invoice__number"]
    list_select_related = ["customer", "credit_note", "invoice"]
    entry_amount = amount_column("amount")


class CreditNoteInline(ReadOnlyTabularInline):
    model = CreditNote
    fk_name = "invoice"
    fields = ["number", "mode", "total_amount", "reason", "issued_at"]
    show_change_link = True
    total_amount = amount_column("total")


class CustomerCreditInline(ReadOnlyTabularInline):
    model = CustomerCreditEntry
    fields = ["created_at", "credit_note", "invoice", "entry_amount", "currency"]
    verbose_name_plural = "Credit ledger"
    entry_amount = amount_column("amount")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("credit_note", "invoice")


# The invoice page offers to issue a credit note and lists its notes; the
# invoice admin registered last (payments, bills) is extended, whichever it is.
_registered = admin.site._registry[Invoice].__class__
admin.site.unregister(Invoice)


@admin.register(Invoice)
class InvoiceWithCreditAdmin(_registered):
    inlines = [*_registered.inlines, CreditNoteInline]
    fields = [
        *_registered.fields[: _registered.fields.index("balance_amount")],
        "credited_amount",
        *_registered.fields[_registered.fields.index("balance_amount") :],
    ]
    credited_amount = amount_column("amount_credited", description="amount credited")

    def may_issue_credit_notes(self, request) -> bool:
        return self.has_view_permission(request) and request.user.has_perm(ISSUE_CREDIT_NOTE)

    def ledger_buttons(self, request, invoice):
        buttons = super().ledger_buttons(request, invoice)
        issued = invoice.status in (Invoice.Status.OPEN, Invoice.Status.PAID)
        if issued and self.may_issue_credit_notes(request):
            url = reverse("admin:invoices_invoice_credit_note", args=[invoice.pk])
            buttons.append(("Issue credit note", url))
        return buttons

    def get_urls(self):
        issue = path(
            "<path:object_id>/credit-note/",
            self.admin_site.admin_view(self.credit_note_view),
            name="invoices_invoice_credit_note",
        )
        return [issue, *super().get_urls()]

    def credit_note_view(self, request, object_id):
        """GET: the form, which says what the invoice can still be credited.
        POST: the note, through ``services.credit_note_issue`` as the API
        issues it; a refusal is shown over the form and nothing is issued."""
        invoice = self.ledger_invoice(request, object_id)
        if not self.may_issue_credit_notes(request):
            raise PermissionDenied
        if invoice.status not in (Invoice.Status.OPEN, Invoice.Status.PAID):
            self.message_user(
                request,
                f"Invoice {invoice.number} is {invoice.status}: only an issued invoice "
                "is credited.",
                messages.WARNING,
            )
            return redirect("admin:invoices_invoice_change", invoice.pk)
        form = CreditNoteIssueForm(request.POST or None, invoice=invoice)
        if request.method == "POST" and form.is_valid():
            try:
                note = services.credit_note_issue(
                    invoice_id=invoice.pk, issued_by=request.user, **form.service_arguments()
                )
            except BillingError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                credited = f"{format_for_people(note.total, note.currency)} {note.currency}"
                self.log_change(request, invoice, f"Issued credit note {note.number}: {credited}.")
                self.message_user(
                    request,
                    f"Credit note {note.number} of {credited} issued on invoice {invoice.number}.",
                    messages.SUCCESS,
                )
                return redirect("admin:invoices_invoice_change", invoice.pk)
        credited = sum((note.total for note in invoice.credit_notes.all()), Decimal(0))
        currency = invoice.currency
        return self.ledger_page(
            request,
            invoice,
            "admin/credits/issue_credit_note.html",
            title=f"Issue a credit note on invoice {invoice.number}",
            form=form,
            media=self.media + form.media,
            total=format_for_people(invoice.total, currency),
            balance=format_for_people(invoice.balance, currency),
            creditable=format_for_people(invoice.total - credited, currency),
        )


admin.site.unregister(Customer)


@admin.register(Customer)
class CustomerWithCreditAdmin(CustomerAdmin):
    inlines = [*CustomerAdmin.inlines, CustomerCreditInline]
    readonly_fields = ["credit_balance"]

    @admin.display(description="credit balance")
    def credit_balance(self, customer):
        if customer.pk is None:
            return "-"
        balances = selectors.customer_credit_balances(customer_id=customer.pk)
        if not balances:
            return "None"
        rows = [
            (format_for_people(amount, currency), currency) for currency, amount in balances.items()
        ]
        return format_html_join(", ", "{} {}", rows)
