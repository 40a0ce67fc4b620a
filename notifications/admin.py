"""The emails the ledger's events asked for, and staff's way to send one again:
the list's "Re-send" action, or the Re-send button on an email's page, which
asks first and POSTs. Both go through ``email_resend``, which refuses what is
already on its way."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from billing_site.admin import ReadOnlyAdmin
from billing_site.errors import BillingError

from . import services
from .models import OutgoingEmail

RESEND_PERMISSION = "notifications.change_outgoingemail"


def resend_question(email: OutgoingEmail) -> str:
    if email.status == OutgoingEmail.Status.FAILED:
        return (
            f"Send email {email.pk} to {email.to} again? It failed after {email.attempts} "
            "attempt(s); it is tried again now, with its retries counted from zero."
        )
    return (
        f"Send email {email.pk} to {email.to} again? It was sent; a new email copying it "
        "is sent now, with the document as it is today, and this one stays the record "
        "of what was sent."
    )


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    """The emails the ledger's events asked for: to whom, and what became of them."""

    list_display = [
        "created_at",
        "kind",
        "to",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "copy_number",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject", "event__id"]
    date_hierarchy = "created_at"
    actions = ["resend"]

    def has_resend_permission(self, request, obj=None):
        return request.user.has_perm(RESEND_PERMISSION)

    def _resend(self, request, email: OutgoingEmail) -> OutgoingEmail:
        """Through the service; the change is logged on the email re-sent."""
        resent = services.email_resend(email=email)
        if resent.pk == email.pk:
            self.log_change(request, email, "Queued to be sent again.")
        else:
            self.log_change(request, email, f"Re-sent as email {resent.pk}.")
            self.log_addition(request, resent, f"A re-send of email {email.pk}.")
        return resent

    @admin.action(description="Re-send the selected emails", permissions=["resend"])
    def resend(self, request, queryset):
        queued = 0
        for email in queryset:
            try:
                self._resend(request, email)
                queued += 1
            except BillingError as exc:
                self.message_user(request, exc.message, messages.WARNING)
        if queued:
            self.message_user(request, f"{queued} email(s) queued to be sent again.")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if (
            obj is not None
            and obj.status != OutgoingEmail.Status.PENDING
            and self.has_resend_permission(request)
        ):
            context["resend_url"] = reverse(
                "admin:notifications_outgoingemail_resend", args=[obj.pk]
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        resend = path(
            "<path:object_id>/resend/",
            self.admin_site.admin_view(self.resend_view),
            name="notifications_outgoingemail_resend",
        )
        return [resend, *super().get_urls()]

    def resend_view(self, request, object_id):
        """GET asks; POST re-sends through ``email_resend`` (its refusal is shown)."""
        email = self.get_object(request, unquote(object_id))
        if email is None:
            raise Http404(f"Email {object_id} does not exist.")
        if not self.has_resend_permission(request):
            raise PermissionDenied
        change_url = reverse("admin:notifications_outgoingemail_change", args=[email.pk])
        if request.method == "POST":
            try:
                resent = self._resend(request, email)
            except BillingError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return redirect(change_url)
            if resent.pk == email.pk:
                done = f"Email {email.pk} queued to be sent again."
            else:
                done = f"Email {resent.pk}, a copy of email {email.pk}, queued to be sent."
            self.message_user(request, done, messages.SUCCESS)
            return redirect("admin:notifications_outgoingemail_change", resent.pk)
        if email.status == OutgoingEmail.Status.PENDING:
            self.message_user(
                request,
                f"Email {email.pk} is pending: it is already being sent.",
                messages.WARNING,
            )
            return redirect(change_url)
        return TemplateResponse(
            request,
            "admin/notifications/outgoingemail/confirm_resend.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "email": email,
                "change_url": change_url,
                "title": f"Re-send email {email.pk}",
                "question": resend_question(email),
            },
        )
