"""Writing events: ``event_emit`` inside the transaction of the change.

A committed transaction's events are relayed by a task on the broker. Queueing
one task per transaction costs a busy web process more than the rest of a
payment's work in Python, so each process gathers the ids its transactions
committed and queues them as one task a short while later (``RELAY_LINGER``
seconds), from a thread of its own. Ids a process could not queue (it died, the
broker was down) are relayed by the beat's sweep (``relay_pending``): a delay,
never a loss. Without a broker (tests, the embedded default) the relay runs at
once, in the transaction's commit."""

import atexit
import contextlib
import logging
import os
import threading
import time

from django.db import transaction

from billing_site import compiled_writes
from billing_site.background import run_later

from . import registry
from .models import Event

log = logging.getLogger(__name__)

# How long a process gathers committed events' ids before it queues their relay,
# and the most ids one relay task takes.
RELAY_LINGER = 0.2
RELAY_BATCH = 500


def event_emit(*, type: str, data: dict, customer_id: int | None = None, subject=None) -> Event:
    """Write the event in the caller's transaction; it is relayed once that
    commits, with the other events of the transaction (one task for them all).
    ``subject``: the instance the event is about, as the caller holds it; the
    derivations find it as ``event.subject`` and may use what it was read with."""
    if type not in registry.EVENT_TYPES:
        raise ValueError(f"Unknown event type {type!r}.")
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("An event is written with its change.")
    event = Event(type=type, data=data, customer_id=customer_id)
    event.subject = subject
    gathered = getattr(connection, _GATHERED, None)
    if gathered is None:
        compiled_writes.insert([event], deferred=True)
    else:
        gathered.append(event)
    for hook in registry.derivations(type):
        hook(event)
    _relay_after_commit(connection, event.pk)
    return event


_GATHERED = "events_written_together"


@contextlib.contextmanager
def written_together():
    """The events emitted inside the block (their derived events included) are
    written in one INSERT as it ends, still in the caller's transaction and in
    the order they were emitted: one round trip to the database instead of one
    each. An exception in the block writes none of them (its transaction, or
    savepoint, rolls back what they were about)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("An event is written with its change.")
    if getattr(connection, _GATHERED, None) is not None:  # an outer block writes them
        yield
        return
    gathered: list[Event] = []
    setattr(connection, _GATHERED, gathered)
    try:
        yield
    finally:
        setattr(connection, _GATHERED, None)
    if gathered:
        compiled_writes.insert(gathered, deferred=True)


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
        if relay.app.conf.task_always_eager:  # no broker: relayed here and now
            run_later(relay, self.ids)
        else:
            _relays.add(self.ids)


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


class _RelayQueue:
    """This process's committed event ids waiting to be queued for their relay."""

    def __init__(self):
        self._reset()
        os.register_at_fork(after_in_child=self._reset)
        atexit.register(self.flush)

    def _reset(self) -> None:
        # A forked process starts with no ids and no thread (the parent's stay its own).
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._ids: list[str] = []
        self._thread: threading.Thread | None = None

    def add(self, ids: list[str]) -> None:
        with self._lock:
            self._ids.extend(ids)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="event-relay-queue", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            # The ids of the next few commits go in the same task.
            time.sleep(RELAY_LINGER)
            self._wake.clear()
            self.flush()

    def flush(self) -> None:
        """Queue every id gathered so far; a failure leaves them to the sweep."""
        from .tasks import relay

        with self._lock:
            ids, self._ids = self._ids, []
        for start in range(0, len(ids), RELAY_BATCH):
            try:
                run_later(relay, ids[start : start + RELAY_BATCH])
            except Exception:
                log.warning(
                    "%d events wait for the relay's sweep: queueing their relay failed",
                    len(ids) - start,
                    exc_info=True,
                )
                return


_relays = _RelayQueue()
