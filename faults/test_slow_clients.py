"""Slow clients against the production recipe: nginx (deploy/nginx.conf, started
by deploy/nginx.sh) in front of gunicorn's sync workers. Fifty connections
dripping a byte at a time hold every worker of a bare gunicorn; behind nginx,
which reads whole requests before passing them on, a normal client is answered
at once meanwhile; what nginx refuses (413, 414, 400) is JSON, and a body that
stops coming is dropped after client_body_timeout."""

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from billing_site.faults import free_port
from billing_site.testing import PRODUCTION_ENV, ROOT, serve

DRIPPERS = 50
CHECK = json.dumps({"orderID": 4499494, "billingNumber": 333333}).encode()

pytestmark = pytest.mark.skipif(
    not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")), reason="needs nginx"
)


@contextlib.contextmanager
def nginx(tmp_path, *, listen_port: int, upstream: str):
    """deploy/nginx.sh in the foreground, in a session of its own; stopped afterwards."""
    # nginx's workers (nobody, when started as root) write bodies to temporary
    # files there: the folder must be theirs to reach, which tmp_path is not.
    run_dir = tmp_path / "nginx"
    run_dir.mkdir()
    shutil.chown(run_dir, user="nobody") if os.geteuid() == 0 else None
    for parent in (run_dir.parent, *run_dir.parent.parents):
        if parent == Path(tempfile.gettempdir()):
            break
        parent.chmod(parent.stat().st_mode | 0o711)
    env = {
        **os.environ,
        "NGINX_LISTEN": f"127.0.0.1:{listen_port}",
        "NGINX_UPSTREAM": upstream,
        "NGINX_RUN_DIR": str(run_dir),
    }
    log = open(tmp_path / "nginx.log", "wb")  # noqa: SIM115 (kept by Popen)
    process = subprocess.Popen(
        [str(ROOT / "deploy" / "nginx.sh")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", listen_port)):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp_path / "nginx.log").read_text())
            time.sleep(0.1)
        yield f"http://127.0.0.1:{listen_port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the master and its workers
        process.wait(timeout=10)


class Drippers:
    """``DRIPPERS`` connections sending a request a byte per second: half of them
    its headers, half (after whole headers) its body."""

    def __init__(self, port: int):
        self.sockets, self.pending = [], []
        for n in range(DRIPPERS):
            sock = socket.create_connection(("127.0.0.1", port))
            request = (
                f"POST /checkPaymentStatus HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(CHECK)}\r\n\r\n"
            ).encode()
            if n % 2:  # the headers at once, then the body byte by byte
                sock.sendall(request)
                request = CHECK
            self.sockets.append(sock)
            self.pending.append(request)

    def drip(self) -> None:
        """One more byte on each connection (none ever completes its request here)."""
        for n, sock in enumerate(self.sockets):
            if len(self.pending[n]) > 1:
                with contextlib.suppress(OSError):
                    sock.send(self.pending[n][:1])
                self.pending[n] = self.pending[n][1:]

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()


def _timed_check(base: str, token: str, timeout: float) -> tuple[int, float]:
    request = urllib.request.Request(f"{base}/checkPaymentStatus", data=CHECK)
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", f"Bearer {token}")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:  # no answer within the timeout
        status = 0
    return status, time.monotonic() - started


def _normal_client_during_drip(base: str, token: str, drippers: Drippers, seconds: float):
    """(status, seconds) of the requests a normal client makes while the drippers drip."""
    results, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        drippers.drip()
        results.append(_timed_check(base, token, timeout=2))
        time.sleep(0.3)
    return results


def _raw(port: int, data: bytes, timeout: float) -> tuple[int, dict, str]:
    """(status, headers, body) of what the server answers to ``data`` sent raw."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        with contextlib.suppress(OSError):  # refused before the whole of it was sent
            sock.sendall(data)
        answer = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.lower(): value
        for name, value in (line.split(": ", 1) for line in lines[1:] if ": " in line)
    }
    if headers.get("transfer-encoding") == "chunked":
        chunks = []
        while body:
            size, _, rest = body.partition(b"\r\n")
            chunks.append(rest[: int(size, 16)])
            body = rest[int(size, 16) + 2 :]
        body = b"".join(chunks)
    return int(lines[0].split()[1]), headers, body.decode()


def _assert_json_error(answer, status: int) -> None:
    code, headers, body = answer
    assert code == status, answer
    assert headers["content-type"].startswith("application/json"), answer
    assert json.loads(body)["detail"], answer


def test_slow_clients_hold_bare_gunicorn_but_not_nginx(tmp_path):
    env = {**PRODUCTION_ENV, "TRUSTED_PROXIES": "1"}
    with serve(tmp_path, workers=2, **env) as server:
        gunicorn_port = int(server.base.rsplit(":", 1)[1])
        # Bare gunicorn: the drippers take both sync workers, a normal request waits.
        drippers = Drippers(gunicorn_port)
        try:
            bare = _normal_client_during_drip(server.base, server.token, drippers, seconds=3)
        finally:
            drippers.close()
        assert all(status != 200 for status, _ in bare), bare

        proxy_port = free_port()
        with nginx(tmp_path, listen_port=proxy_port, upstream=f"127.0.0.1:{gunicorn_port}") as base:
            drippers = Drippers(proxy_port)
            # A body that stops coming: past client_body_timeout (10 s) nginx drops
            # the connection without an answer (nginx logs a 408 and sends nothing).
            stalled = socket.create_connection(("127.0.0.1", proxy_port), timeout=15)
            stalled.sendall(
                b"POST /checkPaymentStatus HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Length: 10\r\n\r\n{"
            )
            opened = time.monotonic()
            try:
                proxied = _normal_client_during_drip(base, server.token, drippers, seconds=6)
                assert stalled.recv(65536) == b""  # closed, nothing sent
                dropped_after = time.monotonic() - opened
            finally:
                drippers.close()
                stalled.close()
            assert [status for status, _ in proxied] == [200] * len(proxied), proxied
            assert max(seconds for _, seconds in proxied) < 1
            assert 9 < dropped_after < 13, dropped_after
            # A body somewhat over the limit reaches the service, which refuses and logs
            # it; one over twice the limit nginx refuses at once, in its own log.
            over = 1024 * 1024 + 1
            too_large = (
                b"POST /checkPaymentStatus HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                b"X-Request-ID: too-large-1\r\nContent-Length: %d\r\n\r\n" % over
            ) + b"x" * over
            _assert_json_error(_raw(proxy_port, too_large, timeout=10), 413)
            far_too_large = (
                b"POST /checkPaymentStatus HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"X-Request-ID: far-too-large-1\r\nContent-Length: %d\r\n\r\n" % (2 * over)
            )
            _assert_json_error(_raw(proxy_port, far_too_large, timeout=5), 413)
            long_uri = b"GET /" + b"a" * 40_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            _assert_json_error(_raw(proxy_port, long_uri, timeout=5), 414)
            _assert_json_error(_raw(proxy_port, b"NONSENSE\r\n\r\n", timeout=5), 400)
            # The request id goes through; the address logged is the one nginx saw,
            # not what the client wrote into X-Forwarded-For.
            forged = (
                b"GET /api/schema/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                b"X-Request-ID: slow-clients-1\r\nX-Forwarded-For: 198.51.100.7\r\n\r\n"
            )
            status, headers, _ = _raw(proxy_port, forged, timeout=10)
            assert (status, headers["x-request-id"]) == (200, "slow-clients-1")
    with sqlite3.connect(tmp_path / "billing.sqlite3") as database:  # written as workers stop
        logged = database.execute(
            "SELECT client_address FROM logs WHERE request_id = 'slow-clients-1'"
        ).fetchall()
    assert logged == [("127.0.0.1",)]
    with sqlite3.connect(tmp_path / "billing.sqlite3") as database:
        too_large = database.execute(
            "SELECT status_code FROM logs WHERE request_id = 'too-large-1'"
        ).fetchall()
    assert too_large == [(413,)]
    refused = [
        json.loads(line) for line in (tmp_path / "nginx" / "refused.log").read_text().splitlines()
    ]
    assert {(row["status"], row["request_id"]) for row in refused} >= {(413, "far-too-large-1")}
    assert {row["status"] for row in refused} >= {400, 413, 414}
    slowest = max(seconds for _, seconds in proxied)
    print(
        f"{DRIPPERS} drippers: bare gunicorn answered 0 of {len(bare)} in 2 s;"
        f" behind nginx 200 x {len(proxied)} (slowest {slowest:.2f} s);"
        f" a stalled body dropped after {dropped_after:.1f} s; nginx's 413, 414 and 400 are JSON"
    )
