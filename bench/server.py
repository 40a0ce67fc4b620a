"""The server under test (gunicorn), the load tool (wrk) and timed HTTP requests."""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
LUA = BENCH / "wrk" / "gateway.lua"


def ensure_wrk() -> str:
    """The path of wrk, installed from Debian when missing (as root)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("wrk is missing: sudo apt-get install -y wrk")
    print("installing wrk (apt-get install -y wrk)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(command, env=env, check=False).returncode != 0:  # noqa: S603
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)  # noqa: S607
        subprocess.run(command, env=env, check=True)  # noqa: S603
    return shutil.which("wrk") or "wrk"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (gunicorn's workers are the master's children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name is in parentheses and may hold spaces: split after it.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def memory_kib(pid: int) -> dict:
    """VmHWM (peak resident) and VmRSS of a process, in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            fields[name] = int(value.split()[0])
    return fields


class Server:
    """gunicorn with ``workers`` sync workers on a free loopback port."""

    def __init__(self, name: str, *, workers: int, timeout: int, env: dict):
        self.name, self.workers, self.timeout, self.env = name, workers, timeout, env
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None

    def __enter__(self):
        RESULTS.mkdir(exist_ok=True)
        log = open(RESULTS / f"gunicorn-{self.name}.log", "w")
        command = [
            *(sys.executable, "-m", "gunicorn", "billing_site.wsgi"),
            *("--workers", str(self.workers), "--worker-class", "sync"),
            *("--bind", f"127.0.0.1:{self.port}", "--timeout", str(self.timeout)),
            *("--log-level", "warning"),
        ]
        self.process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + 60
        # Ready when every worker answers: send more requests than there are workers.
        answered = 0
        while answered < 4 * self.workers:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"gunicorn did not start: see {RESULTS}/gunicorn-{self.name}.log")
            try:
                status, _ = request(self.base, "POST", "/bench/bare", body=b"{}")
                answered += status == 200
            except OSError:
                time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        return _children(self.process.pid)

    def worker_memory(self) -> dict[int, dict]:
        return {pid: memory_kib(pid) for pid in self.worker_pids()}


def request(base: str, method: str, path: str, *, token=None, body=None, timeout=600):
    """(status, body bytes) of one request."""
    result = timed_request(base, method, path, token=token, body=body, timeout=timeout)
    return result["status"], result.pop("content")


def timed_request(
    base, method, path, *, token=None, body=None, timeout=600, keep=True, count=b"\n"
) -> dict:
    """One request, read as a stream: seconds to the first and the last byte of
    the body, its size, how often ``count`` occurs in it (rows), its last bytes
    and (with ``keep``) the body itself."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        first = None
        size, rows, chunks, tail = 0, 0, [], b""
        while chunk := response.read1(1 << 16):
            if first is None:
                first = time.perf_counter() - started
            size += len(chunk)
            # The end of the previous chunk too, so a marker split between two is found.
            rows += (
                (tail[-(len(count) - 1) :] + chunk).count(count)
                if len(count) > 1
                else chunk.count(count)
            )
            tail = (tail + chunk)[-64:]
            if keep:
                chunks.append(chunk)
        last = time.perf_counter() - started
    finally:
        connection.close()
    return {
        "status": response.status,
        "first_byte_s": round(first if first is not None else last, 4),
        "last_byte_s": round(last, 4),
        "bytes": size,
        "rows": rows,
        "tail": tail,
        "content": b"".join(chunks),
    }


def wrk(base: str, path: str, *, token, mode, first, count, order_base, config) -> dict:
    """A wrk run against ``path``; its JSON summary with requests per second added."""
    command = [
        *("wrk", f"-t{config.threads}", f"-c{config.connections}", f"-d{config.duration}s"),
        *("--timeout", "30s", "-s", str(LUA), base, "--"),
        *(path, token, mode, str(first), str(count), str(order_base), str(config.threads)),
    ]
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, check=True, timeout=config.duration + 120
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")]
    if not lines:
        raise SystemExit(f"wrk printed no summary:\n{result.stdout}\n{result.stderr}")
    summary = json.loads(lines[-1].removeprefix("BENCH_JSON "))
    seconds = summary["duration_us"] / 1e6
    errors = summary["errors"]
    summary["rps"] = round(summary["requests"] / seconds, 1)
    # wrk counts answers with a status of 400 or more; none here is a redirect.
    summary["non_2xx_share"] = round(errors["status"] / max(summary["requests"], 1), 4)
    summary["socket_errors"] = sum(errors[kind] for kind in ("connect", "read", "write", "timeout"))
    return summary
