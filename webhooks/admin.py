from django import forms
from django.contrib import admin, messages

from billing_site.admin import ReadOnlyAdmin, ReadOnlyTabularInline
from billing_site.errors import ConflictError
from events.registry import EVENT_TYPES

from . import services, targets
from .models import Delivery, DeliveryAttempt, WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=[("*", "* (every event)")] + [(name, name) for name in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "events", "description", "customer", "is_active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            targets.resolve(url)
        except targets.TargetRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Endpoints; the secret is shown once, in the message after adding one."""

    form = WebhookEndpointForm
    list_display = [
        "url",
        "customer",
        "events",
        "is_active",
        "failing_since",
        "disabled_at",
        "disabled_reason",
    ]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]
    readonly_fields = [
        "disabled_at",
        "disabled_reason",
        "failing_since",
        "created_by",
        "created_at",
    ]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in WebhookEndpointForm.Meta.fields}
        if change:
            services.endpoint_update(endpoint=obj, **fields)
            return
        created = services.endpoint_create(
            created_by=request.user,
            **{name: value for name, value in fields.items() if name != "is_active"},
        )
        obj.pk, obj.secret = created.pk, created.secret
        messages.warning(
            request, f"The endpoint's signing secret, shown only now: {created.secret}"
        )


class DeliveryAttemptInline(ReadOnlyTabularInline):
    model = DeliveryAttempt
    fields = ["at", "duration_ms", "status_code", "error", "response_excerpt"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Deliveries with their attempts; finished ones can be re-sent."""

    list_display = [
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    ]
    list_filter = ["status"]
    list_select_related = ["event", "endpoint"]
    search_fields = ["event__id", "endpoint__url"]
    inlines = [DeliveryAttemptInline]
    actions = ["resend"]

    def has_resend_permission(self, request):
        return request.user.has_perm("webhooks.change_webhookendpoint")

    @admin.action(description="Re-send the selected deliveries", permissions=["resend"])
    def resend(self, request, queryset):
        sent = 0
        for delivery in queryset:
            try:
                services.delivery_resend(delivery=delivery)
                sent += 1
            except ConflictError as exc:
                self.message_user(request, exc.message, messages.WARNING)
        if sent:
            self.message_user(request, f"{sent} deliveries queued to be sent again.")


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = ["delivery", "at", "status_code", "error", "duration_ms"]
    list_select_related = ["delivery"]
