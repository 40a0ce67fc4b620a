"""Who hears of an event. ``derive`` hooks run inside the emitting transaction
(an app that sees another app's event as one of its own: a paid invoice is a
paid bill); ``handlers`` run after commit, in the relay (deliveries, emails).
Apps register in their ``AppConfig.ready``, so the lower apps never import them."""

from collections import defaultdict
from collections.abc import Callable

# The event types the ledger emits; ``*`` stands for all of them.
EVENT_TYPES = (
    "invoice.created",
    "invoice.issued",
    "invoice.paid",
    "invoice.voided",
    "invoice.reopened",
    "invoice.overdue",
    "payment.succeeded",
    "payment.refunded",
    "bill.created",
    "bill.paid",
    "bill.cancelled",
    "report.generated",
    "credit_note.issued",
    "customer.credit_applied",
)

_derive: dict[str, list[Callable]] = defaultdict(list)
_handlers: list[Callable] = []


def derive(event_type: str, hook: Callable) -> None:
    """``hook(event)`` runs in the transaction that emits ``event_type``."""
    if hook not in _derive[event_type]:
        _derive[event_type].append(hook)


def derivations(event_type: str) -> list[Callable]:
    return _derive.get(event_type, [])


def handle(handler: Callable) -> None:
    """``handler(event)`` runs after commit for every event; it must be safe to
    run twice for one event (the relay retries what it could not finish)."""
    if handler not in _handlers:
        _handlers.append(handler)


def handlers() -> list[Callable]:
    return list(_handlers)
