from django.conf import settings
from django.db import models
from django.utils import timezone

from invoices.models import Customer, visible_customers


class WebhookEndpointQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Every endpoint for a user who sees every customer; else those of its
        customers (never one that hears every customer's events)."""
        return self if user.is_staff else self.filter(visible_customers(user, "customer_id"))

    def listening(self, event):
        """The active endpoints that may hear ``event``: every customer's, and
        those of its customer. Subscriptions are read in Python (``hears``)."""
        scope = models.Q(customer__isnull=True)
        if event.customer_id is not None:
            scope |= models.Q(customer_id=event.customer_id)
        return self.filter(scope, is_active=True)


class WebhookEndpoint(models.Model):
    """A receiver's URL and the event types it subscribed to (``["*"]``: all).
    With a customer, it hears only that customer's events; without one, every
    customer's (only a user who sees every customer makes one)."""

    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)
    description = models.CharField(max_length=500, blank=True)
    # ``whsec_`` and the base64 of the random key; shown once, when made or rotated.
    secret = models.CharField(max_length=100)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    # Set when deliveries failed for WEBHOOKS_DISABLE_AFTER_SECONDS without one success.
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=500, blank=True)
    # The first failed attempt since the last success; cleared by a success.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["is_active", "customer"], name="webhook_endpoint_active_idx")
        ]

    def __str__(self) -> str:
        return self.url

    def hears(self, event_type: str) -> bool:
        return "*" in self.events or event_type in self.events


class Delivery(models.Model):
    """One event for one endpoint: pending until an attempt got a 2xx
    (succeeded) or the retry schedule ran out (failed). While an attempt is in
    flight, ``next_attempt_at`` holds the attempt's lease: no other worker
    takes the delivery before it passes."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # Failed attempts since the delivery was (re)sent: the place in the retry schedule.
    failures = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_unique")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.event_id} to {self.endpoint_id}"


class DeliveryAttempt(models.Model):
    """One POST of a delivery and what came of it: the receiver's status code
    and the start of its answer, or the error (a timeout, a refused address)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_set")
    at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.delivery} at {self.at:%Y-%m-%d %H:%M:%S}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
