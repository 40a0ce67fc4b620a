"""Hands request log rows to a thread of the process's own, which writes them in
batches: one statement and one commit for the rows of a tenth of a second (up
to 200).

A request then answers without waiting for its row's commit. On a disk that
syncs each commit that wait is the largest part of a short request's time, and a
worker spends it idle. The thread waits on the database with the interpreter's
lock released, so the worker serves the next request meanwhile.

What this trades: a row is in the ``logs`` table about a tenth of a second
after its answer has gone (longer while the database falls behind), not before.
A worker that stops normally (restart, shutdown, ``max_requests``) writes what it
holds before it exits; one killed outright (``SIGKILL``, out of memory, a
timeout) loses the rows it still holds, normally those of its last tenth of a
second. ``REQUEST_LOG_WRITER=inline`` writes each row before the answer."""

import atexit
import contextlib
import logging
import os
import queue
import threading

from django.db import connection

logger = logging.getLogger(__name__)


class BackgroundWriter:
    def __init__(
        self,
        write_batch,
        *,
        capacity: int = 10_000,
        batch_size: int = 200,
        linger: float = 0.1,
        wait_for_room: float = 5.0,
    ):
        # ``write_batch(rows)`` stores rows or raises; it runs on the writer's thread.
        self.write_batch = write_batch
        self.capacity = capacity
        self.batch_size = batch_size
        self.linger = linger
        self.wait_for_room = wait_for_room
        self._started_in = None  # the process whose queue this is
        self._thread = None
        self._lock = threading.Lock()

    def put(self, row) -> bool:
        """Queue a row; whether it was queued. When the queue is full the request
        waits for room, so the database sets the pace and memory stays bounded;
        after ``wait_for_room`` seconds the row is dropped, and that is logged:
        a stuck log must not hold every request."""
        try:
            self._start()
            self._queue.put(row, timeout=self.wait_for_room)
            return True
        except Exception:
            logger.exception("Request log row dropped (request id %s)", row.get("request_id"))
            return False

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every row queued so far is written (or failed); whether it was in time."""
        if self._started_in != os.getpid():
            return True
        written = threading.Event()
        try:
            self._queue.put(written, timeout=timeout)
        except queue.Full:
            return False
        self._hurry.set()
        return written.wait(timeout)

    def _start(self) -> None:
        # A forked worker inherits the parent's queue but not its thread: it gets
        # a queue and a thread of its own. A thread that died is replaced.
        if self._started_in == os.getpid() and self._thread.is_alive():
            return
        with self._lock:
            if self._started_in != os.getpid():
                self._queue = queue.Queue(maxsize=self.capacity)
                self._hurry = threading.Event()
                self._thread = None
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="request-log-writer", daemon=True
                )
                self._thread.start()
            self._started_in = os.getpid()

    def _run(self) -> None:
        while True:
            items = [self._queue.get()]
            # The rows that come within ``linger`` of the first go with it, taken
            # in one go once it has passed: a commit per row would cost the
            # database more than the rows do, and waking for each row as it
            # comes would cost this process more than writing it.
            if not isinstance(items[0], threading.Event) and self._queue.qsize() < self.batch_size:
                self._hurry.wait(self.linger)  # a flush cuts it short
                self._hurry.clear()
            with contextlib.suppress(queue.Empty):
                while len(items) < self.batch_size:
                    items.append(self._queue.get_nowait())
            rows = [item for item in items if not isinstance(item, threading.Event)]
            if rows:
                self._write(rows)
            for item in items:
                if isinstance(item, threading.Event):  # a flush: what came before is written
                    item.set()

    def _write(self, rows: list) -> None:
        with contextlib.suppress(Exception):
            connection.close_if_unusable_or_obsolete()
        # Once more on a fresh connection: the first attempt may have met one the
        # server closed while the process was idle.
        if self._attempt(rows) is None or self._attempt(rows) is None:
            return
        # Then row by row, so a row the database refuses takes no other with it.
        for row in rows:
            error = self._attempt([row])
            if error is not None:
                logger.error(
                    "Could not write the request log row of request %s",
                    row.get("request_id"),
                    exc_info=error,
                )

    def _attempt(self, rows: list) -> Exception | None:
        try:
            self.write_batch(rows)
            return None
        except Exception as error:
            with contextlib.suppress(Exception):
                connection.close()
            return error


def stop_on_exit(writer: BackgroundWriter) -> BackgroundWriter:
    """Write what is queued when the interpreter exits (a worker's normal end)."""
    atexit.register(writer.flush)
    return writer
