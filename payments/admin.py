"""Payments in the admin. A payment is a ledger entry: recorded through the
payment service (on an invoice's page, by the API, by the gateway), never
edited or deleted here; a payment made in error is not undone by deleting it."""

from django.contrib import admin, messages
from django.contrib.messages import WARNING
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse

from billing_site.admin import (
    CurrencyInUseFilter,
    ReadOnlyAdmin,
    ReadOnlyTabularInline,
    amount_column,
)
from billing_site.errors import BillingError
from billing_site.money import format_for_people
from invoices.admin import InvoiceAdmin, status_label
from invoices.models import Invoice

from . import services
from .forms import PaymentRecordForm
from .models import Payment, Refund

# The admin's index opens on the ledger's figures (templatetags/ledger_dashboard.py).
admin.site.index_template = "admin/payments/ledger_index.html"

RECORD_PAYMENT = "payments.add_payment"


class PaymentInline(ReadOnlyTabularInline):
    model = Payment
    fields = [
        "paid_at",
        "payment_amount",
        "refunded_amount",
        "currency",
        "method",
        "provider",
        "provider_reference",
        "card_brand",
        "card_last4",
        "recorded_by",
    ]
    payment_amount = amount_column("amount")
    refunded_amount = amount_column("amount_refunded", description="refunded")
    show_change_link = True  # its refunds are on its page

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class RefundInline(ReadOnlyTabularInline):
    model = Refund
    fields = [
        "refunded_at",
        "refund_amount",
        "currency",
        "reason",
        "provider",
        "provider_reference",
        "provider_status",
        "created_by",
    ]
    refund_amount = amount_column("amount")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    """Payments are ledger entries: recorded by the services, never edited or
    deleted here (a refund or a correction is a movement of its own)."""

    list_display = [
        "paid_at",
        "invoice",
        "payment_amount",
        "currency",
        "method",
        "provider",
        "provider_reference",
        "refunded_amount",
    ]
    list_filter = ["method", "provider", CurrencyInUseFilter, "paid_at"]
    search_fields = ["invoice__number", "invoice__order_id", "provider_reference"]
    list_select_related = ["invoice"]
    date_hierarchy = "paid_at"
    fields = [
        "invoice",
        "paid_at",
        "payment_amount",
        "currency",
        "method",
        "provider",
        "provider_reference",
        "card_brand",
        "card_last4",
        "card_exp_month",
        "card_exp_year",
        "refunded_amount",
        "recorded_by",
        "created_at",
    ]
    inlines = [RefundInline]
    payment_amount = amount_column("amount", ordering="amount")
    refunded_amount = amount_column(
        "amount_refunded", description="refunded", ordering="amount_refunded"
    )


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    """Refunds are ledger entries too, made by ``services.payment_refund`` (the
    API): shown here, never added, edited or deleted."""

    list_display = [
        "refunded_at",
        "payment",
        "invoice",
        "refund_amount",
        "currency",
        "provider",
        "provider_reference",
        "reason",
    ]
    list_filter = ["provider", CurrencyInUseFilter, "refunded_at"]
    search_fields = [
        "payment__invoice__number",
        "payment__invoice__order_id",
        "provider_reference",
        "payment__provider_reference",
    ]
    list_select_related = ["payment__invoice"]
    date_hierarchy = "refunded_at"
    fields = [
        "payment",
        "invoice",
        "refunded_at",
        "refund_amount",
        "currency",
        "reason",
        "provider",
        "provider_reference",
        "provider_status",
        "created_by",
        "created_at",
    ]
    refund_amount = amount_column("amount", ordering="amount")

    @admin.display(description="invoice", ordering="payment__invoice__number")
    def invoice(self, refund):
        return refund.payment.invoice


# The invoice page shows its payments and offers to record one; invoices cannot
# know payments, so both are added from here.
admin.site.unregister(Invoice)


@admin.register(Invoice)
class InvoiceWithPaymentsAdmin(InvoiceAdmin):
    inlines = [*InvoiceAdmin.inlines, PaymentInline]

    def may_record_payments(self, request) -> bool:
        """The API's permission to record a payment, on an invoice the user sees."""
        return self.has_view_permission(request) and request.user.has_perm(RECORD_PAYMENT)

    def ledger_buttons(self, request, invoice):
        buttons = super().ledger_buttons(request, invoice)
        if invoice.status == Invoice.Status.OPEN and self.may_record_payments(request):
            url = reverse("admin:invoices_invoice_record_payment", args=[invoice.pk])
            buttons.insert(0, ("Record payment", url))
        return buttons

    def get_urls(self):
        record = path(
            "<path:object_id>/record-payment/",
            self.admin_site.admin_view(self.record_payment_view),
            name="invoices_invoice_record_payment",
        )
        return [record, *super().get_urls()]

    def record_payment_view(self, request, object_id):
        """GET: the form. POST: the payment, through ``services.payment_record``
        as the API records it (the invoice locked, the balance checked again);
        a refusal is shown over the form, and nothing is recorded."""
        invoice = self.ledger_invoice(request, object_id)
        if not self.may_record_payments(request):
            raise PermissionDenied
        if request.method != "POST" and invoice.status != Invoice.Status.OPEN:
            self.message_user(
                request, f"Invoice {invoice.number} is {invoice.status}: nothing to pay.", WARNING
            )
            return redirect("admin:invoices_invoice_change", invoice.pk)
        form = PaymentRecordForm(request.POST or None, invoice=invoice)
        if request.method == "POST" and form.is_valid():
            try:
                payment = services.payment_record(
                    invoice_id=invoice.pk, recorded_by=request.user, **form.service_arguments()
                )
            except BillingError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                paid = f"{format_for_people(payment.amount, payment.currency)} {payment.currency}"
                self.log_change(request, invoice, f"Recorded a payment of {paid}.")
                self.message_user(
                    request,
                    f"Payment of {paid} recorded on invoice {invoice.number}; it is "
                    f"{status_label(payment.invoice.display_status).lower()}.",
                    messages.SUCCESS,
                )
                return redirect("admin:invoices_invoice_change", invoice.pk)
        return self.ledger_page(
            request,
            invoice,
            "admin/payments/record_payment.html",
            title=f"Record a payment on invoice {invoice.number}",
            form=form,
            media=self.media + form.media,
            balance=format_for_people(invoice.balance, invoice.currency),
        )
