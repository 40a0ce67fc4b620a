from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from billing_site.ordered_ids import OrderedIds

_event_ids = OrderedIds(random_bits=48)


def new_event_id() -> str:
    """``evt_`` and 24 hex digits that sort in the order events were made
    (``billing_site.ordered_ids``). It is the ``webhook-id`` of every delivery of
    the event."""
    return f"evt_{_event_ids()}"


class Event(models.Model):
    """What happened to the ledger, written in the same transaction as the change
    (never sent for a change that rolled back, never lost for one that
    committed). ``relayed_at`` is set once its handlers have taken it; until
    then the periodic relay picks it up again."""

    id = models.CharField(primary_key=True, max_length=32, default=new_event_id, editable=False)
    type = models.CharField(max_length=64, db_index=True)
    # Amounts are strings of their exact digits (DjangoJSONEncoder writes a Decimal so).
    data = models.JSONField(encoder=DjangoJSONEncoder)
    # The customer the event is about, when there is one: who may see it.
    customer_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    relayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["relayed_at", "created_at"], name="event_relay_idx")]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"
