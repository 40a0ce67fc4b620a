"""Shapes of the webhook endpoints resource: the endpoint (its ``secret`` only
in the answer that made or rotated it), a delivery and its attempts."""

from rest_framework import serializers

from billing_site.api.fields import IdField, StrictCharField
from events.registry import EVENT_TYPES
from invoices.selectors import customer_get, restricted_to_customers

from .. import targets
from ..models import Delivery, DeliveryAttempt, WebhookEndpoint

ALL_EVENTS = "*"


class WebhookEndpointSerializer(serializers.ModelSerializer):
    """The endpoint, read and written. ``events``: event types, or ``["*"]`` for
    all. ``customer_id``: the customer whose events it hears; null (only for a
    user who sees every customer) for every customer's. ``disabled_at`` and
    ``disabled_reason`` say when and why deliveries stopped; ``PATCH`` with
    ``"is_active": true`` turns it on again."""

    url = serializers.URLField(max_length=2000)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=[ALL_EVENTS, *EVENT_TYPES]),
        allow_empty=False,
        max_length=len(EVENT_TYPES) + 1,
    )
    description = StrictCharField(max_length=500, required=False, allow_blank=True)
    customer_id = IdField(required=False, allow_null=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "events",
            "description",
            "customer_id",
            "is_active",
            "disabled_at",
            "disabled_reason",
            "failing_since",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "disabled_at",
            "disabled_reason",
            "failing_since",
            "created_at",
            "updated_at",
        ]

    def validate_url(self, value):
        try:
            targets.resolve(value)
        except targets.TargetRefused as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value

    def validate_events(self, value):
        return list(dict.fromkeys(value))

    def validate_customer_id(self, value):
        if self.instance is not None:
            if value != self.instance.customer_id:
                raise serializers.ValidationError("An endpoint's customer cannot change.")
            return self.instance.customer
        if value is None:
            return None
        customer = customer_get(user=self.context["request"].user, pk=value)
        if customer is None:
            raise serializers.ValidationError(f"Customer {value} not found.")
        return customer

    def validate(self, attrs):
        user = self.context["request"].user
        creating = self.instance is None
        if creating and attrs.get("customer_id") is None and restricted_to_customers(user):
            raise serializers.ValidationError(
                {"customer_id": ["Required: the customer whose events the endpoint hears."]}
            )
        return attrs

    def service_arguments(self) -> dict:
        data = dict(self.validated_data)
        if "customer_id" in data:
            data["customer"] = data.pop("customer_id")
        if self.instance is not None:
            data.pop("customer", None)
        return data


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    """The endpoint with its signing secret: the answer of create and rotate-secret."""

    secret = serializers.CharField(
        read_only=True, help_text="whsec_ and base64: the key of every delivery's signature."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["id", "at", "duration_ms", "status_code", "error", "response_excerpt"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    """A delivery of one event to the endpoint: ``pending`` (to be attempted at
    ``next_attempt_at``), ``succeeded`` or ``failed``; every attempt, oldest first."""

    event_id = serializers.CharField(help_text="The webhook-id of every attempt.")
    event_type = serializers.CharField(source="event.type")
    attempt_count = serializers.IntegerField(source="attempts")
    attempts = DeliveryAttemptSerializer(source="attempt_set", many=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "status",
            "attempt_count",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "created_at",
            "updated_at",
            "attempts",
        ]
        read_only_fields = fields
