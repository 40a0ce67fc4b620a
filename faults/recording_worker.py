"""The Celery app of the worker fault tests (``celery -A faults.recording_worker
worker``): the project's own app, with one more event handler, which appends
``start <event id> <pid>`` and then ``done <event id> <pid>`` to the file
RECORD_FILE names. The handlers run in the workers' processes; the file tells
the test which worker handled which event, and how often. RECORD_HANDLER_SECONDS
holds each event that long between its two lines: a task to kill midway."""

import os
import time

from billing_site.celery import app
from events import registry

# A message of a vanished worker is looked for every second (kombu's default is
# every 100 s), so the test waits for the visibility timeout, not the sweep.
app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}


def _append(line: str) -> None:
    # One write of a short line in append mode: two processes' lines never mix.
    with open(os.environ["RECORD_FILE"], "a") as record:
        record.write(line + "\n")


def record(event) -> None:
    _append(f"start {event.pk} {os.getpid()}")
    time.sleep(float(os.environ.get("RECORD_HANDLER_SECONDS", "0")))
    _append(f"done {event.pk} {os.getpid()}")


registry.handle(record)

__all__ = ["app"]
