"""Writing events: ``event_emit`` inside the transaction of the change."""

from django.db import transaction

from billing_site.background import run_later

from . import registry
from .models import Event


def event_emit(*, type: str, data: dict, customer_id: int | None = None) -> Event:
    """Write the event in the caller's transaction; it is relayed once that
    commits, with the other events of the transaction (one task for them all)."""
    if type not in registry.EVENT_TYPES:
        raise ValueError(f"Unknown event type {type!r}.")
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("An event is written with its change.")
    event = Event.objects.create(type=type, data=data, customer_id=customer_id)
    for hook in registry.derivations(type):
        hook(event)
    _relay_after_commit(connection, event.pk)
    return event


class _RelayOnCommit:
    """The ids of one transaction's events, relayed together when it commits."""

    def __init__(self):
        self.ids: list[str] = []
        self.ran = False
        # Django names a robust callback that failed (a broker down) by its
        # __qualname__, which an instance lacks: without one the failure to
        # log it would fail the caller, after its change committed.
        self.__qualname__ = f"{__name__}.relay"

    def __call__(self):
        from .tasks import relay  # tasks import the Celery app, which imports settings

        self.ran = True
        run_later(relay, self.ids)


def _relay_after_commit(connection, event_id: str) -> None:
    # The transaction's own callback, while it is still queued (Django keeps the
    # callbacks of the open transaction in ``run_on_commit``); an event of a
    # savepoint rolled back stays in the list and is skipped by the relay. One
    # that ran already (a test's captured callbacks stay in the list) takes no more.
    for _, callback, _ in reversed(connection.run_on_commit):
        if isinstance(callback, _RelayOnCommit) and not callback.ran:
            callback.ids.append(event_id)
            return
    callback = _RelayOnCommit()
    callback.ids.append(event_id)
    transaction.on_commit(callback, robust=True)
