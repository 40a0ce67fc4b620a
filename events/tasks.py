"""The relay: an event's handlers run on a worker after its transaction
commits. An event whose relay never ran (a broker outage, a killed worker) is
picked up by ``relay_pending`` on the beat's schedule; only delays, never loss."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import registry
from .models import Event

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def relay(event_ids: list[str]) -> int:
    """Run every handler on each of the events not relayed yet, in the order they
    were written; returns how many it relayed. The events of many transactions
    come in one task (a web process queues its commits' events together): when
    they fail together, each is tried on its own, so that one event's failure
    leaves only that one to the sweep."""
    try:
        return _relay(event_ids)
    except Exception:
        if len(event_ids) <= 1:
            raise
        log.exception("relaying %d events together failed; each is tried alone", len(event_ids))
    done = 0
    for event_id in event_ids:
        try:
            done += _relay([event_id])
        except Exception:
            log.exception("relaying event %s failed; it is retried on the next sweep", event_id)
    return done


def _relay(event_ids: list[str]) -> int:
    with transaction.atomic():
        # The row locks keep two relays of one event (the sweep and the first
        # try) from running its handlers side by side.
        events = list(
            Event.objects.select_for_update()
            .filter(pk__in=event_ids, relayed_at__isnull=True)
            .order_by("created_at", "id")
        )
        for event in events:
            for handler in registry.handlers():
                handler(event)
        if events:
            Event.objects.filter(pk__in=[event.pk for event in events]).update(
                relayed_at=timezone.now()
            )
    return len(events)


@shared_task
def relay_pending(limit: int = 500) -> int:
    """Relay the events left unrelayed for longer than ``EVENTS_RELAY_GRACE_SECONDS``."""
    due = timezone.now() - datetime.timedelta(seconds=settings.EVENTS_RELAY_GRACE_SECONDS)
    ids = list(
        Event.objects.filter(relayed_at__isnull=True, created_at__lte=due)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for event_id in ids:
        try:
            done += relay([event_id])
        except Exception:  # one event's failure must not hold the others back
            log.exception("relaying event %s failed; it is retried on the next sweep", event_id)
    return done
