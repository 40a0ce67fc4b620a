"""Reads of webhook endpoints and their deliveries."""

from django.db.models import Prefetch

from .models import Delivery, DeliveryAttempt, WebhookEndpoint


def endpoint_list(*, user):
    return WebhookEndpoint.objects.visible_to(user).order_by("id")


def endpoint_get(*, user, pk: int) -> WebhookEndpoint | None:
    return endpoint_list(user=user).filter(pk=pk).first()


def delivery_list(*, endpoint: WebhookEndpoint):
    """The endpoint's deliveries, newest first, each with its event and attempts."""
    return (
        Delivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .prefetch_related(Prefetch("attempt_set", queryset=DeliveryAttempt.objects.order_by("id")))
        .order_by("-id")
    )


def pending_delivery_count() -> int:
    """Deliveries not yet delivered nor given up: the queue's depth."""
    return Delivery.objects.filter(status=Delivery.Status.PENDING).count()
