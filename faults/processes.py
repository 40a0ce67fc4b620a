"""The Celery processes of a deployment, started for a fault test: workers (and
a beat) as the Procfile starts them, each in a process group of its own so a
test can kill one, pool processes included, as a lost machine would."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis

from billing_site.testing import ROOT

CELERY = str(Path(sys.executable).parent / "celery")


class Worker:
    """A Celery process; ``ready`` is the line its log shows once it is."""

    def __init__(self, name: str, command: list[str], env: dict, log: Path, ready=" ready."):
        self.name, self.log, self.ready = name, log, ready
        with open(log, "ab") as output:
            # A session of its own: the worker and its pool processes are one group.
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-3000:]}")
            if self.ready in self.log.read_text():
                return
            time.sleep(0.2)
        raise RuntimeError(
            f"{self.name} was not ready in {timeout} s: {self.log.read_text()[-3000:]}"
        )

    def holds(self, pid: int) -> bool:
        """Whether ``pid`` is this worker's main or pool process."""
        try:
            return os.getpgid(pid) == self.process.pid
        except ProcessLookupError:
            return False

    def kill(self) -> None:
        """SIGKILL to the worker and its pool: gone at once, as with a lost machine."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)  # warm shutdown
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


@contextlib.contextmanager
def workers(tmp_path: Path, env: dict, command: list[str], count: int = 2):
    """``count`` worker processes of ``command``, ready; all stopped afterwards."""
    started = []
    try:
        for number in range(1, count + 1):
            name = f"w{number}"
            started.append(
                Worker(
                    name,
                    [*command, "--hostname", f"{name}@%h", "--without-mingle"],
                    env,
                    tmp_path / f"{name}.log",
                )
            )
        for worker in started:
            worker.wait_ready()
        yield started
    finally:
        for worker in started:
            worker.stop()


@contextlib.contextmanager
def beat(tmp_path: Path, env: dict):
    """The scheduler, its schedule file in ``tmp_path``; stopped afterwards."""
    command = [CELERY, "-A", "billing_site", "beat", "--loglevel", "INFO"]
    command += ["--schedule", str(tmp_path / "celerybeat-schedule")]
    scheduler = Worker("beat", command, env, tmp_path / "beat.log", ready="beat: Starting")
    try:
        scheduler.wait_ready()
        yield scheduler
    finally:
        scheduler.stop()


def wait_until(check, timeout: float, what: str) -> float:
    """Seconds until ``check()`` held; fails after ``timeout``."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.25)
    return time.monotonic() - started


def broker_idle(url: str, queue: str = "celery") -> bool:
    """No task waiting in the queue, none delivered and not yet acknowledged."""
    client = redis.Redis.from_url(url)
    return client.llen(queue) == 0 and client.hlen("unacked") == 0


def log_messages(text: str) -> list[str]:
    """The messages of a process's output: a JSON line's (LOG_FORMAT=json, the
    production settings' default), or any other line as it is."""
    return [_message(line) for line in text.splitlines()]


def _message(line: str) -> str:
    try:
        return json.loads(line)["message"]
    except (ValueError, TypeError, KeyError):
        return line
