"""The request log's spool: a request's row is appended to a file of its process's
own before the answer leaves, and a thread of the process moves the rows from
the file to the ``logs`` table in batches.

Nothing answered is lost:
- A worker killed outright (``SIGKILL``, out of memory, a timeout) leaves its rows
  in its file. Every process looks for files whose owner is gone (none holds
  their lock) every few seconds, and moves what they still hold.
- While the database is down, stalled or refusing, rows wait in the file; the
  thread retries with a growing pause and catches up when it is back.
- Each batch is inserted in the same transaction as the file position it reached
  (the ``logs_spool_position`` table), so a row is stored once, never twice, even
  if a process dies between the insert and anything after it.
- A request that moves money (``require_durable()``) has its row synced to disk
  before the answer: it survives the machine, not only the process. (A gateway
  payment on MariaDB writes its row in the payment's transaction instead:
  ``audit.middleware.log_with_commit``.)

The spool is bounded (``REQUEST_LOG_SPOOL_MAX_BYTES``): past it, requests are
refused with a 503 until the database has caught up (their short rows are still
kept). ``manage.py request_log_spool`` shows its depth and moves orphaned files."""

import contextlib
import contextvars
import datetime
import fcntl
import json
import logging
import os
import re
import socket
import threading
import time
from pathlib import Path

logger = logging.getLogger(__name__)

SUFFIX = ".spool"
_NEW = ".new"  # a file being created: renamed to SUFFIX once its owner holds its lock
_durable = contextvars.ContextVar("request_log_durable", default=False)


def require_durable() -> None:
    """Called where money moves: the request's log row is synced to disk before
    its answer leaves."""
    _durable.set(True)


def durable_requested() -> contextvars.Token:
    """Start a request with nothing required; ``reset`` the token afterwards."""
    return _durable.set(False)


def is_durable_required() -> bool:
    return _durable.get()


def reset_durable(token: contextvars.Token) -> None:
    _durable.reset(token)


# ASCII JSON: one line whatever the text holds, and it always decodes. One
# encoder for every row (json.dumps with options makes a new one each call).
_ENCODER = json.JSONEncoder(default=str, separators=(",", ":"))


def _encode(row: dict) -> bytes:
    return (_ENCODER.encode(row) + "\n").encode()


def complete_lines(data: bytes) -> tuple[list[dict], int]:
    """The rows of the whole lines in ``data`` and how many bytes they take. A
    last line without its newline was being written when its process died: its
    answer never left, so it is not a row. A line that does not read back (a
    disk gone bad) becomes a row that says so, rather than stopping the spool."""
    end = data.rfind(b"\n") + 1
    return [_row(line) for line in data[:end].splitlines() if line], end


def _row(line: bytes) -> dict:
    try:
        row = json.loads(line)
        if isinstance(row, dict):
            return row
    except ValueError:
        pass
    note = f"<spool line of {len(line)} bytes could not be read>"
    return {
        # Its own time is lost with it: the time it is read stands in (the column
        # takes no NULL), so the note is stored as it is.
        "timestamp": datetime.datetime.now(datetime.UTC),
        **{"endpoint": "", "method": "", "status_code": 0, "duration_ms": "0"},
        **{"request_id": "", "request_body": note, "response_body": note},
    }


class _Segment:
    """One of this process's files: its name, its descriptor (which holds the
    file's lock), how many bytes it has and how many of those are stored."""

    def __init__(self, name: str, fd: int):
        self.name, self.fd, self.size, self.read = name, fd, 0, 0


class Spool:
    def __init__(
        self,
        directory,
        store,
        *,
        segment_bytes: int = 8 * 1024 * 1024,
        max_bytes: int = 1024 * 1024 * 1024,
        batch_bytes: int = 256 * 1024,
        linger: float = 1.0,
        scan_every: float = 5.0,
    ):
        # ``store`` has ``batch(segment, rows, end)``: insert rows and record the
        # segment's position in one transaction, or raise; ``position(segment)``,
        # ``forget(segment)``, and ``reset()`` after a failure.
        self.directory = Path(directory)
        self.store = store
        self.segment_bytes = segment_bytes
        self.max_bytes = max_bytes
        self.batch_bytes = batch_bytes
        self.linger = linger
        self.scan_every = scan_every
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        # A forked worker inherits the parent's state but not its thread or lock:
        # it starts with files and a thread of its own. Its copy of the parent's
        # file is closed, or the file would stay locked after the parent died.
        for inherited in getattr(self, "_segments", []):
            with contextlib.suppress(OSError):
                os.close(inherited.fd)
        self._lock = threading.Lock()
        self._done = threading.Condition()
        self._wake = threading.Event()
        self._hurry = threading.Event()
        self._pid = None
        self._thread = None
        # Oldest first; rows go to the last. A full one is followed by a new one
        # at once, and removed once its rows are stored.
        self._segments: list[_Segment] = []
        self._sequence = 0
        self._appended = 0  # bytes appended by this process, all segments
        self._stored = 0  # of which stored
        self._failures = 0

    # The request's side.

    def append(self, row: dict, *, durable: bool = False) -> None:
        """Write a row to this process's file (synced to disk when ``durable``);
        raises ``OSError`` when it cannot."""
        line = _encode(row)
        with self._lock:
            if (
                self._pid != os.getpid()
                or not self._segments
                or self._segments[-1].size >= self.segment_bytes
            ):
                self._open_segment()
            if not self._thread.is_alive():  # it died: another takes its place
                self._start_thread()
            segment = self._segments[-1]
            written = os.write(segment.fd, line)
            if written != len(line):  # a full disk: no half row may stay
                os.ftruncate(segment.fd, segment.size)
                raise OSError(f"spool file full: {written} of {len(line)} bytes written")
            segment.size += len(line)
            self._appended += len(line)
            if durable:
                os.fdatasync(segment.fd)
        if not self._wake.is_set():  # setting it again would take its lock again
            self._wake.set()

    def full(self) -> bool:
        return self.depth() >= self.max_bytes

    def depth(self) -> int:
        """Bytes of this process's rows not yet stored (the bound is per process)."""
        return self._appended - self._stored

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every row this process appended so far is stored; whether
        it was in time (the rows stay in the file either way)."""
        if self._pid != os.getpid():
            return True
        target = self._appended
        deadline = time.monotonic() + timeout
        self._hurry.set()
        self._wake.set()
        with self._done:
            while self._stored < target:
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():
                    return False
                self._done.wait(min(left, 0.5))
        return True

    def _open_segment(self) -> None:
        # Called with the lock held.
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._sequence = 0
            self._started = time.time_ns()
            self._segments = []
        self.directory.mkdir(parents=True, exist_ok=True)
        self._sequence += 1
        host = re.sub(r"[^A-Za-z0-9_.-]", "_", socket.gethostname())[:60]
        name = f"{host}-{self._pid}-{self._started}-{self._sequence:06d}"
        # Created under another name and renamed once locked: a file other
        # processes can see always has its owner's lock (it goes with the process).
        new, path = self.directory / f"{name}{_NEW}", self.directory / f"{name}{SUFFIX}"
        fd = os.open(new, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.rename(new, path)
            _sync_directory(self.directory)
        except OSError:
            os.close(fd)
            raise
        self._segments.append(_Segment(path.name, fd))
        if self._thread is None or not self._thread.is_alive():
            self._start_thread()

    def _start_thread(self) -> None:
        # Called with the lock held, so one thread runs at a time.
        self._thread = threading.Thread(target=self._run, name="request-log-spool", daemon=True)
        self._thread.start()

    # The thread's side.

    def _run(self) -> None:
        next_scan = 0.0
        while True:
            woken = self._wake.wait(self.scan_every)
            if woken and not self._hurry.is_set():
                # The rows of a second go together: a batch every tenth of a second
                # cost the requests of a busy worker a sixth of their throughput on
                # MariaDB (bench/README.md); the file keeps them safe meanwhile.
                self._hurry.wait(self.linger)
            self._wake.clear()
            self._hurry.clear()
            try:
                self._store_own()
                if time.monotonic() >= next_scan:
                    self._adopt_orphans()
                    next_scan = time.monotonic() + self.scan_every
                self._failures = 0
            except Exception as error:
                self._failures += 1
                if self._failures == 1:
                    logger.error("Request log rows wait in the spool: %s", error)
                self.store.reset()
                time.sleep(min(5.0, 0.2 * 2**self._failures))
                self._wake.set()
            finally:
                with self._done:
                    self._done.notify_all()

    def _store_own(self) -> None:
        with self._lock:
            segments = list(self._segments)
        for segment in segments:
            self._store_segment(segment)
            with self._lock:
                done = segment is not self._segments[-1] and segment.read >= segment.size
                if done:
                    self._segments.remove(segment)
            if done:  # full, and all stored: gone
                try:
                    self._remove(segment.name)
                finally:
                    os.close(segment.fd)

    def _store_segment(self, segment: _Segment) -> None:
        if self._failures:
            # A batch whose commit failed may have committed all the same (the
            # server died before it answered): the database says how far it is.
            stored = self.store.position(segment.name)
            with self._done:
                self._stored += stored - segment.read
            segment.read = stored
        # The rows there now, in batches: rows that come meanwhile wait for the
        # next pass, so that each commit takes a linger's worth, not the few that
        # came during the last one.
        with self._lock:
            size = segment.size
        while segment.read < size:
            rows, used = self._lines_at(segment.fd, segment.read, size - segment.read)
            if not rows:
                return
            self.store.batch(segment.name, rows, segment.read + used)
            segment.read += used
            with self._done:
                self._stored += used
                self._done.notify_all()

    def _lines_at(self, fd: int, position: int, left: int | None = None) -> tuple[list, int]:
        """The rows of the whole lines from ``position`` on, and the bytes they
        take: a batch's worth, or one line however long (a body at the log's cap,
        in characters JSON writes as escapes, makes a line longer than a batch,
        which would otherwise hold up every row after it). ``left``: the bytes
        there are to read; else up to the file's end."""
        want = self.batch_bytes
        while True:
            size = want if left is None else min(want, left)
            data = os.pread(fd, size, position)
            rows, used = complete_lines(data)
            if rows or len(data) < size or size == left:  # lines, or all there is
                return rows, used
            want *= 2

    def _remove(self, segment: str) -> None:
        # Removed while its lock is held: a process that opened it before, and
        # locks it after, finds it gone (no links) and leaves it.
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.directory / segment)
        self.store.forget(segment)

    def store_orphans(self) -> None:
        """Store now the rows of files no live process holds (their owner died).
        Raises when the database cannot take them."""
        self._adopt_orphans()

    def _adopt_orphans(self) -> None:
        with self._lock:
            own = {segment.name for segment in self._segments}
        if not self.directory.is_dir():
            return
        for path in self.directory.glob(f"*{_NEW}"):
            # Created by a process that died before it renamed it: empty, since
            # rows are written only once the file has its name.
            with contextlib.suppress(OSError):
                if time.time() - path.stat().st_mtime > 60:
                    path.unlink()
        for path in sorted(self.directory.glob(f"*{SUFFIX}")):
            if path.name in own:
                continue
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:  # its process is alive and stores its own
                    continue
                if os.fstat(fd).st_nlink:  # else another stored and removed it meanwhile
                    self._store_orphan(path.name, fd)
            finally:
                os.close(fd)

    def _store_orphan(self, segment: str, fd: int) -> None:
        position = self.store.position(segment)
        while True:
            rows, used = self._lines_at(fd, position)
            if not rows:
                break
            self.store.batch(segment, rows, position + used)
            position += used
        logger.warning("Request log rows of a stopped process stored (%s)", segment)
        self._remove(segment)


def _sync_directory(directory: Path) -> None:
    """A new file's name is on disk only once its directory is synced."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def is_owned(path: Path) -> bool:
    """Whether a running process holds the file (its lock): else its rows are left
    for whoever stores orphans. Tried without waiting, and let go at once."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # which lets go of the lock, if it was taken
    return False


def spool_files(directory) -> list[tuple[str, int]]:
    """(name, bytes) of each spool file in ``directory``."""
    path = Path(directory)
    if not path.is_dir():
        return []
    return [(file.name, file.stat().st_size) for file in sorted(path.glob(f"*{SUFFIX}"))]
