"""Writes of webhooks: endpoints, the deliveries of each event, attempts."""

import datetime
import json
import logging

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from billing_site.background import run_after_commit
from billing_site.errors import ConflictError

from . import signing, targets
from .models import Delivery, DeliveryAttempt, WebhookEndpoint

log = logging.getLogger(__name__)

# Seconds after each failed attempt before the next (Standard Webhooks' own
# suggestion: about 27 hours in all); after the last, the delivery has failed.
DEFAULT_RETRY_SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 36000)


def retry_schedule() -> tuple[int, ...]:
    return tuple(getattr(settings, "WEBHOOKS_RETRY_SCHEDULE", DEFAULT_RETRY_SCHEDULE))


def attempt_timeout() -> float:
    return float(getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", 10))


def disable_after() -> datetime.timedelta:
    return datetime.timedelta(
        seconds=getattr(settings, "WEBHOOKS_DISABLE_AFTER_SECONDS", 5 * 24 * 3600)
    )


def lease() -> datetime.timedelta:
    """How long an attempt holds its delivery: its timeout, and time to resolve
    the name and record the outcome; a worker that died holding it lets go after this."""
    return datetime.timedelta(seconds=attempt_timeout() + 60)


# --- endpoints ---------------------------------------------------------------------


@transaction.atomic
def endpoint_create(
    *, url: str, events: list[str], description: str = "", customer=None, created_by=None
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        url=url,
        events=events,
        description=description,
        customer=customer,
        created_by=created_by,
        secret=signing.new_secret(),
    )
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    """Change the fields given. Turning an endpoint on again clears why it was
    disabled and how long it has been failing."""
    for name, value in changes.items():
        setattr(endpoint, name, value)
    if changes.get("is_active"):
        endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since = None, "", None
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """The endpoint, its deliveries and their attempts go; no attempt is made after."""
    endpoint.delete()


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret, used from the next attempt on (also for pending retries)."""
    endpoint.secret = signing.new_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


# --- deliveries --------------------------------------------------------------------


def deliveries_create(event) -> None:
    """The relay's handler: a delivery of ``event`` for each active endpoint
    that hears it, each sent after the relay commits. Safe to run twice (the
    pair is unique). One query when no endpoint listens: the payment path
    runs through here."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.listening(event).only("id", "events")
        if endpoint.hears(event.type)
    ]
    if not endpoints:
        return
    Delivery.objects.bulk_create(
        [Delivery(event=event, endpoint=endpoint) for endpoint in endpoints],
        ignore_conflicts=True,
    )
    pending = Delivery.objects.filter(
        event=event, endpoint__in=endpoints, status=Delivery.Status.PENDING
    ).values_list("pk", flat=True)
    for delivery_id in pending:
        _send_after_commit(delivery_id)


def _send_after_commit(delivery_id: int) -> None:
    from .tasks import deliver  # tasks import the Celery app, which imports settings

    run_after_commit(deliver, delivery_id)


@transaction.atomic
def delivery_resend(*, delivery: Delivery) -> Delivery:
    """Send a finished delivery again, from the start of the retry schedule,
    with the same ``webhook-id``. One still pending is already on its way (409)."""
    updated = Delivery.objects.filter(pk=delivery.pk).exclude(status=Delivery.Status.PENDING)
    if not updated.update(
        status=Delivery.Status.PENDING, failures=0, next_attempt_at=timezone.now()
    ):
        raise ConflictError(f"Delivery {delivery.pk} is pending: it is already being sent.")
    _send_after_commit(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def payload(event) -> bytes:
    """The body every attempt of the event's deliveries sends."""
    body = {"type": event.type, "timestamp": event.created_at.isoformat(), "data": event.data}
    return json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def _claim(delivery_id: int) -> int | None:
    """Take a due delivery for one attempt (a conditional update: of two
    workers, one wins); the number of the attempt, or None when it is not due,
    finished or in another worker's hands."""
    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + lease(), attempts=F("attempts") + 1)
    if not claimed:
        return None
    return Delivery.objects.values_list("attempts", flat=True).get(pk=delivery_id)


def delivery_attempt(*, delivery_id: int) -> DeliveryAttempt | None:
    """One attempt of a due delivery: the POST happens outside any transaction,
    then the attempt is recorded and the next one scheduled. None when there
    was nothing to attempt (not due, taken by another worker)."""
    number = _claim(delivery_id)
    if number is None:
        return None
    delivery = Delivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.FAILED, next_attempt_at=None, last_error="Endpoint disabled."
        )
        return None
    event = delivery.event
    body = payload(event)
    timestamp = int(timezone.now().timestamp())
    headers = {
        "content-type": "application/json",
        "user-agent": "billing-webhooks/1.0",
        "webhook-id": event.pk,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature(endpoint.secret, event.pk, timestamp, body),
    }
    started = timezone.now()
    answer = targets.post(endpoint.url, body, headers, timeout=attempt_timeout())
    return _record(delivery, number, started, answer)


@transaction.atomic
def _record(delivery: Delivery, number: int, at, answer: targets.Answer) -> DeliveryAttempt | None:
    held = Delivery.objects.select_for_update().filter(pk=delivery.pk).first()
    if held is None:  # deleted with its endpoint while the attempt was on the wire
        return None
    attempt = DeliveryAttempt.objects.create(
        delivery=held,
        at=at,
        duration_ms=answer.duration_ms,
        status_code=answer.status_code,
        error=answer.error,
        response_excerpt=answer.excerpt,
    )
    if held.attempts != number:
        # The lease ran out and another attempt holds the delivery: it decides.
        return attempt
    now = timezone.now()
    changes = {"last_status_code": answer.status_code, "last_error": answer.error}
    if answer.succeeded:
        changes.update(status=Delivery.Status.SUCCEEDED, next_attempt_at=None)
    else:
        schedule = retry_schedule()
        failures = held.failures + 1
        changes["failures"] = failures
        if failures > len(schedule):
            changes.update(status=Delivery.Status.FAILED, next_attempt_at=None)
        else:
            changes["next_attempt_at"] = now + datetime.timedelta(seconds=schedule[failures - 1])
    Delivery.objects.filter(pk=held.pk).update(**changes)
    _endpoint_health(held.endpoint_id, succeeded=answer.succeeded, now=now)
    return attempt


def _endpoint_health(endpoint_id: int, *, succeeded: bool, now) -> None:
    """A success clears ``failing_since``; a failure starts it, or, when it is
    older than WEBHOOKS_DISABLE_AFTER_SECONDS, disables the endpoint."""
    endpoints = WebhookEndpoint.objects.filter(pk=endpoint_id)
    if succeeded:
        endpoints.filter(failing_since__isnull=False).update(failing_since=None)
        return
    endpoints.filter(failing_since__isnull=True).update(failing_since=now)
    since = now - disable_after()
    days = disable_after().total_seconds() / 86400
    disabled = endpoints.filter(is_active=True, failing_since__lte=since).update(
        is_active=False,
        disabled_at=now,
        disabled_reason=f"Every delivery failed for {days:g} days.",
    )
    if disabled:
        log.warning(
            "webhook endpoint %s disabled: every delivery failed for %g days", endpoint_id, days
        )
        # Its pending deliveries stop here; a re-send after it is on again sends them.
        Delivery.objects.filter(endpoint_id=endpoint_id, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.FAILED, next_attempt_at=None, last_error="Endpoint disabled."
        )


def due_deliveries(*, limit: int) -> list[int]:
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
