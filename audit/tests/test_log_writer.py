"""The request log's writer thread: rows arrive in the ``logs`` table after the
answer, in batches, and none is lost to a failed batch's neighbours, a full
queue, a fork or the process's exit."""

import logging
import os
import subprocess
import sys
import threading
import time

import pytest
from django.test import override_settings

from audit.models import RequestLog
from audit.services import log_writer
from audit.writer import BackgroundWriter
from billing_site.testing import ROOT
from invoices.tests.factories import InvoiceFactory


class GatedStore:
    """A ``write_batch`` that records batches and holds the first until released."""

    def __init__(self, failures: int = 0):
        self.batches = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.failures = failures

    def __call__(self, rows):
        self.entered.set()
        self.release.wait(5)
        if self.failures:
            self.failures -= 1
            raise RuntimeError("database went away")
        self.batches.append([row["request_id"] for row in rows])


def rows(*ids):
    return [{"request_id": str(request_id)} for request_id in ids]


@pytest.mark.django_db(transaction=True)
@override_settings(REQUEST_LOG_WRITER="background")
def test_requests_are_logged_after_their_answers_by_the_writer_thread(gateway_client):
    invoice = InvoiceFactory()
    payload = {"orderID": invoice.order_id, "billingNumber": invoice.number}
    answers = [
        gateway_client.post("/checkPaymentStatus", payload, format="json") for _ in range(20)
    ]
    assert log_writer.flush()
    logged = RequestLog.objects.filter(endpoint="/checkPaymentStatus")
    assert sorted(logged.values_list("request_id", flat=True)) == sorted(
        answer["X-Request-ID"] for answer in answers
    )
    assert set(logged.values_list("status_code", flat=True)) == {200}
    assert all(log.user_id and log.duration_ms > 0 for log in logged)


def test_rows_queued_during_a_write_go_in_one_batch():
    store = GatedStore()
    writer = BackgroundWriter(store)
    writer.put(rows(1)[0])
    assert store.entered.wait(5)
    for row in rows(2, 3, 4, 5):
        writer.put(row)
    store.release.set()
    assert writer.flush()
    assert store.batches == [["1"], ["2", "3", "4", "5"]]


def test_rows_that_come_within_the_linger_go_together_and_a_flush_does_not_wait_for_it():
    store = GatedStore()
    store.release.set()
    writer = BackgroundWriter(store, linger=30)
    for row in rows(1, 2, 3):
        writer.put(row)
    started = time.monotonic()
    assert writer.flush()
    assert time.monotonic() - started < 5
    assert store.batches == [["1", "2", "3"]]


def test_a_batch_is_no_larger_than_the_batch_size():
    store = GatedStore()
    writer = BackgroundWriter(store, batch_size=2)
    writer.put(rows(1)[0])
    assert store.entered.wait(5)
    for row in rows(2, 3, 4, 5, 6):
        writer.put(row)
    store.release.set()
    assert writer.flush()
    assert store.batches == [["1"], ["2", "3"], ["4", "5"], ["6"]]


def test_a_failed_write_is_retried_once():
    store = GatedStore(failures=1)
    store.release.set()
    writer = BackgroundWriter(store)
    writer.put(rows(1)[0])
    assert writer.flush()
    assert store.batches == [["1"]]


def test_a_row_that_cannot_be_written_is_logged_and_the_writer_goes_on(caplog):
    store = GatedStore(failures=3)  # the batch, its retry, then the row alone
    store.release.set()
    writer = BackgroundWriter(store)
    with caplog.at_level(logging.ERROR, logger="audit.writer"):
        writer.put(rows("a")[0])
        assert writer.flush()
    assert "Could not write the request log row of request a" in caplog.text
    writer.put(rows("b")[0])
    assert writer.flush()
    assert store.batches == [["b"]]


def test_a_row_the_database_refuses_takes_no_other_with_it(caplog):
    def refuses_bad(batch):
        if any(row["request_id"] == "bad" for row in batch):
            raise ValueError("data too long")
        stored.append([row["request_id"] for row in batch])

    stored = []
    writer = BackgroundWriter(refuses_bad, linger=30)
    with caplog.at_level(logging.ERROR, logger="audit.writer"):
        for row in rows(1, "bad", 3):
            writer.put(row)
        assert writer.flush()
    assert stored == [["1"], ["3"]]
    assert "Could not write the request log row of request bad" in caplog.text


def test_a_request_waits_for_room_only_so_long(caplog):
    store = GatedStore()
    writer = BackgroundWriter(store, capacity=1, wait_for_room=0.1)
    writer.put(rows(1)[0])
    assert store.entered.wait(5)
    assert writer.put(rows(2)[0])
    with caplog.at_level(logging.ERROR, logger="audit.writer"):
        assert not writer.put(rows(3)[0])
    assert "Request log row dropped (request id 3)" in caplog.text
    store.release.set()
    assert writer.flush()
    assert store.batches == [["1"], ["2"]]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_writer_thread_that_died_is_replaced():
    store = GatedStore()
    store.release.set()
    writer = BackgroundWriter(store)
    writer.put(rows(1)[0])
    assert writer.flush()
    writer._queue.put(None)  # not a row: the thread fails on it and ends
    writer._thread.join(5)
    assert not writer._thread.is_alive()
    writer.put(rows(2)[0])
    assert writer.flush()
    assert store.batches == [["1"], ["2"]]


def test_a_full_queue_makes_the_request_wait_for_room_and_loses_nothing():
    store = GatedStore()
    writer = BackgroundWriter(store, capacity=2)
    writer.put(rows(1)[0])
    assert store.entered.wait(5)
    writer.put(rows(2)[0])
    writer.put(rows(3)[0])
    waiting = threading.Thread(target=writer.put, args=rows(4))
    waiting.start()
    waiting.join(0.3)
    assert waiting.is_alive()  # no room until the writer takes the next batch
    store.release.set()
    waiting.join(5)
    assert writer.flush()
    assert [row for batch in store.batches for row in batch] == ["1", "2", "3", "4"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_worker_writes_with_a_thread_of_its_own():
    reader, writer_end = os.pipe()

    def to_pipe(batch):
        os.write(writer_end, ",".join(row["request_id"] for row in batch).encode() + b"\n")

    writer = BackgroundWriter(to_pipe)
    writer.put(rows("parent")[0])
    assert writer.flush()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        writer.put(rows("child")[0])
        os._exit(0 if writer.flush() else 1)
    _, status = os.waitpid(child, 0)
    os.close(writer_end)
    with os.fdopen(reader) as pipe:
        assert pipe.read().split() == ["parent", "child"]
    assert os.waitstatus_to_exitcode(status) == 0


def test_rows_still_queued_are_written_when_the_process_exits():
    script = (
        "import time\n"
        "from audit.writer import BackgroundWriter, stop_on_exit\n"
        "def slow(batch):\n"
        "    time.sleep(0.2)\n"
        "    print(*(row['request_id'] for row in batch), flush=True)\n"
        "writer = stop_on_exit(BackgroundWriter(slow))\n"
        "for n in range(3):\n"
        "    writer.put({'request_id': str(n)})\n"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "1", "2"]
    assert time.monotonic() - started >= 0.2
