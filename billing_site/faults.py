"""Private service instances for fault tests: a MariaDB and a Redis of the test's
own (own data directory, socket and port), so a test can stop, stall or kill
them without touching the machine's shared services. Used by ``make faults``
(tests marked ``faults``) and by any test that needs a database it may break."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before it listened")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout} s")


class PrivateProcess:
    """A server process this test started: it alone may be paused or killed."""

    what = "server"

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self, timeout: float = 60) -> None:
        log = open(self.directory / f"{self.what}.log", "ab")  # noqa: SIM115 (kept by Popen)
        self.process = subprocess.Popen(
            self.command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        _wait_for_port(self.port, self.process, timeout, self.what)

    def pause(self) -> None:
        """SIGSTOP: the server holds its connections but answers nothing (a stall)."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL: gone at once, as after a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


class PrivateMariaDB(PrivateProcess):
    what = "mariadb"

    def __init__(self, directory: Path):
        super().__init__(directory)
        self.datadir = directory / "data"
        self.socket = directory / "mariadb.sock"

    @property
    def url(self) -> str:
        return f"mysql://root@127.0.0.1:{self.port}/billing"

    def install(self) -> None:
        subprocess.run(
            [
                shutil.which("mariadb-install-db") or "mariadb-install-db",
                "--no-defaults",
                f"--datadir={self.datadir}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--user=root",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def command(self) -> list[str]:
        return [
            "/usr/sbin/mariadbd",
            "--no-defaults",
            "--user=root",
            f"--datadir={self.datadir}",
            f"--port={self.port}",
            "--bind-address=127.0.0.1",
            f"--socket={self.socket}",
            f"--pid-file={self.directory / 'mariadb.pid'}",
            "--skip-log-bin",
            "--innodb-buffer-pool-size=64M",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci",
            "--transaction-isolation=READ-COMMITTED",
        ]

    def execute(self, sql: str) -> None:
        import MySQLdb

        connection = MySQLdb.connect(host="127.0.0.1", port=self.port, user="root")
        try:
            connection.cursor().execute(sql)
        finally:
            connection.close()


class PrivateRedis(PrivateProcess):
    what = "redis"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        return [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.directory),
        ]


def mariadb_available() -> bool:
    return os.path.exists("/usr/sbin/mariadbd") and shutil.which("mariadb-install-db") is not None


def redis_available() -> bool:
    return shutil.which("redis-server") is not None


@contextlib.contextmanager
def private_mariadb(directory: Path):
    """A fresh MariaDB of the caller's own, with an empty ``billing`` database;
    stopped (killed if need be) afterwards."""
    directory.mkdir(parents=True, exist_ok=True)
    server = PrivateMariaDB(directory)
    server.install()
    server.start()
    try:
        server.execute("CREATE DATABASE billing CHARACTER SET utf8mb4")
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def private_redis(directory: Path):
    """A Redis of the caller's own that keeps nothing on disk; stopped afterwards."""
    directory.mkdir(parents=True, exist_ok=True)
    server = PrivateRedis(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
