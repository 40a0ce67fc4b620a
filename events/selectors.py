"""Reads of the outbox."""

from .models import Event


def unrelayed_event_count() -> int:
    """Events written and not yet taken by their handlers: the outbox's backlog."""
    return Event.objects.filter(relayed_at__isnull=True).count()
