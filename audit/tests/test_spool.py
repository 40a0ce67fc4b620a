"""The request log's spool: a row is in its process's file before the answer
leaves, and reaches the ``logs`` table once, whatever fails in between."""

import fcntl
import io
import json
import os
import subprocess
import sys
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from audit import spool as spool_module
from audit.models import RequestLog, SpoolPosition
from audit.services import request_log_store, spool
from audit.spool import SUFFIX, Spool, complete_lines
from billing_site.testing import ROOT
from invoices.tests.factories import InvoiceFactory


class MemoryStore:
    """A store that keeps batches in memory and fails while told to."""

    def __init__(self):
        self.batches = []
        self.positions = {}
        self.failing = False
        self.lose_answer = False
        self.resets = 0

    def batch(self, segment, rows, end):
        if self.failing:
            raise ConnectionError("database went away")
        self.batches.append([row["request_id"] for row in rows])
        self.positions[segment] = end
        if self.lose_answer:  # committed, but the answer never came back
            self.lose_answer = False
            raise ConnectionError("lost connection during commit")

    def position(self, segment):
        if self.failing:
            raise ConnectionError("database went away")
        return self.positions.get(segment, 0)

    def forget(self, segment):
        self.positions.pop(segment, None)

    def reset(self):
        self.resets += 1

    def stored(self):
        return [request_id for batch in self.batches for request_id in batch]


def rows(*ids):
    return [{"request_id": str(request_id)} for request_id in ids]


def files(directory):
    return sorted(path.name for path in directory.glob(f"*{SUFFIX}"))


@pytest.mark.django_db(transaction=True)
def test_requests_are_logged_through_the_spool_once(gateway_client, tmp_path):
    with override_settings(REQUEST_LOG_WRITER="background", REQUEST_LOG_SPOOL_DIR=str(tmp_path)):
        spool.cache_clear()
        try:
            invoice = InvoiceFactory()
            payload = {"orderID": invoice.order_id, "billingNumber": invoice.number}
            answers = [
                gateway_client.post("/checkPaymentStatus", payload, format="json")
                for _ in range(20)
            ]
            assert spool().flush()
        finally:
            spool.cache_clear()
    logged = RequestLog.objects.filter(endpoint="/checkPaymentStatus")
    assert sorted(logged.values_list("request_id", flat=True)) == sorted(
        answer["X-Request-ID"] for answer in answers
    )
    assert set(logged.values_list("status_code", flat=True)) == {200}
    assert all(log.user_id and log.duration_ms > 0 for log in logged)
    assert SpoolPosition.objects.count() == 1  # the process's file, stored to its end


def test_a_row_is_in_the_file_before_append_returns(tmp_path):
    store = MemoryStore()
    store.failing = True  # nothing reaches the table: the file alone holds the row
    log = Spool(tmp_path, store, linger=30)
    log.append(rows("answered")[0])
    (name,) = files(tmp_path)
    found, _ = complete_lines((tmp_path / name).read_bytes())
    assert found == rows("answered")
    store.failing = False


def test_rows_that_come_within_the_linger_go_in_one_batch(tmp_path):
    store = MemoryStore()
    log = Spool(tmp_path, store, linger=30)
    for row in rows(1, 2, 3):
        log.append(row)
    started = time.monotonic()
    assert log.flush()
    assert time.monotonic() - started < 5  # a flush does not wait out the linger
    assert store.batches == [["1", "2", "3"]]


def test_rows_wait_while_the_database_fails_and_are_stored_once_when_it_is_back(tmp_path):
    store = MemoryStore()
    store.failing = True
    log = Spool(tmp_path, store, linger=0.01)
    for row in rows(1, 2):
        log.append(row)
    assert not log.flush(timeout=0.5)
    assert log.depth() > 0
    assert store.resets >= 1  # a failed attempt drops its connection
    log.append(rows(3)[0])
    store.failing = False
    assert log.flush(timeout=15)
    assert store.stored() == ["1", "2", "3"]
    assert log.depth() == 0


def test_under_steady_load_full_files_go_and_batches_stay_large(tmp_path):
    store = MemoryStore()
    log = Spool(tmp_path, store, segment_bytes=2000, linger=0.05)
    for n in range(600):  # never a quiet moment for the writer
        log.append(rows(n)[0])
        time.sleep(0.0005)
    assert log.flush()
    assert store.stored() == [str(n) for n in range(600)]
    assert len(files(tmp_path)) == 1  # the full ones were removed as they were stored
    # Each commit takes what came in a linger, not the few rows of the last commit.
    assert len(store.batches) < 60, [len(batch) for batch in store.batches]


def test_a_commit_whose_answer_was_lost_is_not_stored_again(tmp_path):
    store = MemoryStore()
    store.lose_answer = True
    log = Spool(tmp_path, store, linger=0.01)
    for row in rows(1, 2):
        log.append(row)
    assert log.flush(timeout=15)
    log.append(rows(3)[0])
    assert log.flush(timeout=15)
    assert store.stored() == ["1", "2", "3"]


def test_a_line_longer_than_a_batch_is_stored_and_the_rows_after_it_too(tmp_path):
    # A body at the log's cap, in characters JSON writes as \u escapes, makes a line
    # several times the batch's bytes: it is read whole, not waited on for ever.
    store = MemoryStore()
    log = Spool(tmp_path, store, linger=0.01, batch_bytes=1024)
    long_row = {"request_id": "long", "request_body": "\u00e9" * 3000}
    for row in [rows(1)[0], long_row, *rows(2, 3)]:
        log.append(row)
    assert log.flush(timeout=5)
    assert store.stored() == ["1", "long", "2", "3"]


def test_an_orphan_with_a_line_longer_than_a_batch_is_stored_whole_before_it_goes(tmp_path):
    store = MemoryStore()
    name = "host-3-3-000001"
    long_row = {"request_id": "long", "request_body": "x" * 5000}
    with open(tmp_path / f"{name}{SUFFIX}", "wb") as file:
        for row in [rows(1)[0], long_row, *rows(2)]:
            file.write(json.dumps(row).encode() + b"\n")
        file.write(b'{"request_id": "cut')  # its process died writing it: never answered
    Spool(tmp_path, store, batch_bytes=1024).store_orphans()
    assert store.stored() == ["1", "long", "2"]
    assert files(tmp_path) == []


def test_a_line_that_does_not_read_back_is_stored_as_a_note_and_the_rest_goes_on(tmp_path):
    store = MemoryStore()
    write_orphan(tmp_path, "host-2-2-000001", [1])
    with open(tmp_path / f"host-2-2-000001{SUFFIX}", "ab") as file:
        file.write(b"\x00garbage\n" + json.dumps(rows(2)[0]).encode() + b"\n")
    Spool(tmp_path, store, scan_every=0.05).append(rows("own")[0])
    deadline = time.monotonic() + 5
    while len(store.stored()) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(store.stored()) == ["", "1", "2", "own"]


def test_a_file_is_visible_to_others_only_once_its_owner_holds_it(tmp_path):
    log = Spool(tmp_path, MemoryStore(), linger=0.01)
    log.append(rows(1)[0])
    (name,) = files(tmp_path)
    fd = os.open(tmp_path / name, os.O_RDONLY)
    try:
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)
    assert not list(tmp_path.glob("*.new"))
    assert log.flush()


def test_a_file_left_half_made_by_a_dead_process_is_removed(tmp_path):
    stale, fresh = tmp_path / "host-4-4-000001.new", tmp_path / "host-5-5-000001.new"
    stale.touch()
    fresh.touch()
    os.utime(stale, (time.time() - 120, time.time() - 120))
    Spool(tmp_path, MemoryStore()).store_orphans()
    assert not stale.exists()
    assert fresh.exists()  # it may be another process's, about to be renamed


def test_a_file_another_process_stored_and_removed_is_left_alone(tmp_path, monkeypatch):
    store = MemoryStore()
    write_orphan(tmp_path, "host-3-3-000001", [1, 2])
    real_open = os.open

    def open_then_lose_the_race(path, *args):
        # Another process stores the file and removes it between this open and
        # this lock: what it stored must not be stored again from position 0.
        fd = real_open(path, *args)
        if str(path).endswith(f"host-3-3-000001{SUFFIX}"):
            os.remove(path)
        return fd

    monkeypatch.setattr(spool_module.os, "open", open_then_lose_the_race)
    log = Spool(tmp_path, store, linger=0.01)
    log.store_orphans()
    assert store.stored() == []


def test_a_full_segment_whose_rows_are_stored_is_removed(tmp_path):
    store = MemoryStore()
    log = Spool(tmp_path, store, segment_bytes=100, linger=0.01)
    for row in rows(*range(10)):
        log.append(row)
    assert log.flush()
    log.append(rows("next")[0])
    assert log.flush()
    assert len(files(tmp_path)) == 1  # the full one went once stored
    assert store.stored() == [*map(str, range(10)), "next"]
    assert len(store.positions) == 1


def write_orphan(directory, name, ids, tail=b""):
    """A spool file left by a process that died: no one holds its lock."""
    data = b"".join(json.dumps(row).encode() + b"\n" for row in rows(*ids)) + tail
    (directory / f"{name}{SUFFIX}").write_bytes(data)
    return data


def test_the_file_of_a_dead_process_is_stored_from_its_position_and_removed(tmp_path):
    store = MemoryStore()
    data = write_orphan(tmp_path, "host-1-1-000001", [1, 2, 3], tail=b'{"request_id": "cut')
    # Its process stored the first row (in the transaction with its position), then died.
    store.positions[f"host-1-1-000001{SUFFIX}"] = data.index(b"\n") + 1
    log = Spool(tmp_path, store, scan_every=0.05)
    log.append(rows("own")[0])
    assert log.flush()
    deadline = time.monotonic() + 5
    orphan = f"host-1-1-000001{SUFFIX}"
    # The scanner removes the file, then forgets its position: wait for both.
    while (len(files(tmp_path)) > 1 or orphan in store.positions) and time.monotonic() < deadline:
        time.sleep(0.05)
    # Rows 2 and 3, once; the line cut by the death was never answered: not a row.
    assert sorted(store.stored()) == ["2", "3", "own"]
    assert len(files(tmp_path)) == 1
    assert f"host-1-1-000001{SUFFIX}" not in store.positions


def test_a_live_processs_file_is_left_to_it(tmp_path):
    owner, other = MemoryStore(), MemoryStore()
    first = Spool(tmp_path, owner, linger=30, scan_every=30)
    owner.failing = True
    first.append(rows("mine")[0])
    second = Spool(tmp_path, other, scan_every=0.05)
    second.append(rows("yours")[0])
    assert second.flush()
    time.sleep(0.3)
    assert other.stored() == ["yours"]
    assert first.depth() > 0 and second.depth() == 0  # each counts its own
    owner.failing = False
    assert first.flush(timeout=10)
    assert owner.stored() == ["mine"]


def test_a_thread_that_died_is_replaced(tmp_path):
    store = MemoryStore()
    log = Spool(tmp_path, store, linger=0.01)
    log.append(rows(1)[0])
    assert log.flush()
    log._thread = threading.Thread(target=lambda: None)
    log._thread.start()
    log._thread.join()
    log.append(rows(2)[0])
    assert log.flush()
    assert store.stored() == ["1", "2"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_worker_spools_to_a_file_and_thread_of_its_own(tmp_path):
    log = Spool(tmp_path, MemoryStore(), linger=0.01)
    log.append(rows("parent")[0])
    assert log.flush()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        log.append(rows("child")[0])
        os._exit(0 if log.flush() and log.store.stored() == ["parent", "child"] else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert len(files(tmp_path)) == 2


def test_rows_are_stored_when_the_process_exits(tmp_path):
    script = (
        "import atexit, time\n"
        "from audit.spool import Spool\n"
        "class Store:\n"
        "    def batch(self, segment, rows, end):\n"
        "        time.sleep(0.2)\n"
        "        print(*(row['request_id'] for row in rows), flush=True)\n"
        "    position = forget = reset = lambda *args: 0\n"
        f"log = Spool({str(tmp_path)!r}, Store(), linger=30)\n"
        "atexit.register(log.flush)\n"
        "for n in range(3):\n"
        "    log.append({'request_id': str(n)})\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "1", "2"]


def test_a_killed_process_leaves_its_rows_for_the_next(tmp_path):
    script = (
        "import os, signal\n"
        "from audit.spool import Spool\n"
        "class Store:\n"
        "    def batch(self, segment, rows, end):\n"
        "        raise ConnectionError('down')\n"
        "    position = forget = reset = lambda *args: 0\n"
        f"log = Spool({str(tmp_path)!r}, Store(), linger=30)\n"
        "for n in range(3):\n"
        "    log.append({'request_id': str(n)})\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=30)
    store = MemoryStore()
    Spool(tmp_path, store, scan_every=0.05).append(rows("next")[0])
    deadline = time.monotonic() + 5
    while len(store.stored()) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(store.stored()) == ["0", "1", "2", "next"]


@pytest.mark.django_db
def test_a_full_spool_answers_503_and_still_logs_the_refusal(api_client, tmp_path, settings):
    settings.REQUEST_LOG_WRITER = "background"
    settings.REQUEST_LOG_SPOOL_DIR = str(tmp_path)
    settings.REQUEST_LOG_SPOOL_MAX_BYTES = 1
    spool.cache_clear()
    try:
        log = spool()
        log.store = MemoryStore()
        log.store.failing = True
        log.append(rows("waiting")[0])
        response = api_client.get("/getAllBilling")
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert "request log" in response.json()["detail"]
        found, _ = complete_lines(b"".join(p.read_bytes() for p in tmp_path.glob("*" + SUFFIX)))
        assert [row.get("status_code") for row in found] == [None, 503]
        log.store.failing = False
    finally:
        spool.cache_clear()


@pytest.mark.django_db
def test_a_payment_syncs_its_requests_row_to_disk(staff_client, synced_spool):
    """(In a test's transaction: the row is not written with the payment's.)"""
    invoice = InvoiceFactory()
    payload = {"orderID": invoice.order_id, "billingNumber": invoice.number}
    assert staff_client.post("/checkPaymentStatus", payload, format="json").status_code == 200
    assert synced_spool == []  # a read is not synced
    assert staff_client.post("/updatePaymentStatus", payload, format="json").status_code == 200
    assert len(synced_spool) == 1


@pytest.mark.django_db
def test_a_row_the_database_refuses_is_stored_reduced_and_takes_no_other_with_it(caplog):
    good = {"endpoint": "/a", "method": "GET", "status_code": 200, "request_id": "good"}
    good.update(duration_ms="1.000", request_body="", response_body="", timestamp=timezone.now())
    bad = {**good, "request_id": "bad", "endpoint": "/b", "no_such_column": "x"}
    request_log_store([good, bad])
    stored = {log.request_id: log for log in RequestLog.objects.all()}
    assert set(stored) == {"good", "bad"}
    assert (stored["bad"].endpoint, stored["bad"].status_code) == ("/b", 200)
    assert stored["bad"].request_body.startswith("<not stored as sent")
    assert "stored reduced" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_the_spool_command_shows_the_depth_and_stores_orphaned_files(tmp_path, settings):
    settings.REQUEST_LOG_SPOOL_DIR = str(tmp_path)
    good = {"endpoint": "/a", "method": "GET", "status_code": 200, "duration_ms": "1.000"}
    rows_of_a_dead_process = [
        {**good, "request_id": name, "timestamp": "2026-01-01T00:00:00+00:00"}
        for name in ("dead-1", "dead-2")
    ]
    data = b"".join(json.dumps(row).encode() + b"\n" for row in rows_of_a_dead_process)
    (tmp_path / f"host-9-9-000001{SUFFIX}").write_bytes(data)
    spool.cache_clear()
    try:
        out = io.StringIO()
        call_command("request_log_spool", stdout=out)
        assert f"host-9-9-000001{SUFFIX}: {len(data)} bytes, {len(data)} waiting" in out.getvalue()
        assert f"1 file(s), {len(data)} bytes waiting" in out.getvalue()
        out = io.StringIO()
        call_command("request_log_spool", "--store", stdout=out)
        assert "0 file(s), 0 bytes waiting" in out.getvalue()
    finally:
        spool.cache_clear()
    assert sorted(RequestLog.objects.values_list("request_id", flat=True)) == ["dead-1", "dead-2"]


@pytest.mark.django_db
def test_the_spool_commands_dry_run_names_the_orphans_and_stores_nothing(tmp_path, settings):
    settings.REQUEST_LOG_SPOOL_DIR = str(tmp_path)
    row = {"endpoint": "/a", "method": "GET", "status_code": 200, "request_id": "dead"}
    orphan = tmp_path / f"host-9-9-000001{SUFFIX}"
    orphan.write_bytes(json.dumps(row).encode() + b"\n")
    owned = tmp_path / f"host-9-8-000001{SUFFIX}"
    owned.write_bytes(b"")
    with open(owned) as held:  # as a running process holds its file
        fcntl.flock(held, fcntl.LOCK_EX)
        out = io.StringIO()
        call_command("request_log_spool", "--store", "--dry-run", "-v", "2", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[1] == f"  {owned.name}: 0 bytes, 0 waiting, its process is running"
    size = orphan.stat().st_size
    assert lines[2] == (
        f"  {orphan.name}: {size} bytes, {size} waiting, its process is gone, would be stored"
    )
    assert lines[-1] == "Dry run: --store would store the rows of 1 file(s)."
    assert orphan.exists() and not RequestLog.objects.exists()
    out = io.StringIO()
    call_command("request_log_spool", "-v", "0", stdout=out)
    assert out.getvalue() == ""


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "mysql", reason="MariaDB refuses what SQLite keeps")
def test_a_row_mariadb_refuses_is_stored_reduced():
    row = {"endpoint": "/big", "method": "GET", "status_code": 70000, "request_id": "over"}
    row.update(duration_ms="1.000", timestamp=timezone.now())  # status over SMALLINT UNSIGNED
    request_log_store([row])
    stored = RequestLog.objects.get(request_id="over")
    assert stored.endpoint == "/big" and stored.request_body.startswith("<not stored as sent")


SPOOLED_VALUES = {
    "timestamp": [
        "2026-12-06 17:00:00.123456+00:00",
        "2026-12-06 17:00:00+00:00",
        "2026-12-06 17:00:00.123456+02:00",
        "2026-12-06T17:00:00+00:00",
        "2026-12-06 17:00:00.123+00:00",
    ],
    "duration_ms": ["1.234", "0.000", "999999999.999", "12.5", "1e3", "-0.500", "01.234"],
    "client_address": ["127.0.0.1", "10.0.0.255", "::1", "::ffff:10.0.0.1", "2001:DB8::1", ""],
}


@pytest.mark.parametrize(
    "name,text", [(name, text) for name, texts in SPOOLED_VALUES.items() for text in texts]
)
def test_a_spooled_value_reaches_the_database_as_its_field_would_hand_it(name, text):
    from audit.services import _column_value

    column = RequestLog._meta.get_field(name)
    got = _column_value(column)({name: text}, connection)
    expected = column.get_db_prep_save(text, connection)
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.django_db(transaction=True)
def test_a_line_that_does_not_read_back_is_stored_in_the_log_as_its_note(tmp_path):
    from audit.services import _SpoolStore

    write_orphan(tmp_path, "host-3-3-000001", [], tail=b"\x00garbage\n")
    started = timezone.now()
    Spool(tmp_path, _SpoolStore()).store_orphans()
    (row,) = RequestLog.objects.all()
    assert row.request_body == row.response_body == "<spool line of 8 bytes could not be read>"
    assert (row.endpoint, row.status_code, row.request_id) == ("", 0, "")
    assert row.timestamp >= started.replace(microsecond=0)
