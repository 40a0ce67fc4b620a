"""A gateway call's CPU in one process: the WSGI application called in a loop on
the benchmark's database, without gunicorn, wrk or a second worker on the cores.

    python -m bench.inprocess check 10000            # or update
    BENCH_REQUEST_LOG=0 python -m bench.inprocess check 10000

Prints the CPU a request (user and system, every thread of the process: the request
log's writer included) and each thread's CPU. The access lines go to
``bench/results/inprocess-<what>.log``, as a server's go to its log file. Run
``make bench`` once first (the seeded database); ``update`` settles the next unpaid
invoices, as the suite does."""

import contextlib
import io
import os
import sys
import time
from pathlib import Path

from . import run
from .server import RESULTS

PATHS = {"check": "/checkPaymentStatus", "update": "/updatePaymentStatus"}
WARM_UP = 500


def _thread_seconds() -> dict[str, float]:
    """CPU seconds of each thread of this process, by thread id."""
    ticks = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for stat in Path("/proc/self/task").glob("*/stat"):
        fields = stat.read_text().rsplit(")", 1)[1].split()
        seconds[stat.parent.name] = (int(fields[11]) + int(fields[12])) / ticks
    return seconds


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else "check"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    run.configure(run.Config.from_env())
    RESULTS.mkdir(exist_ok=True)
    with open(RESULTS / f"inprocess-{what}.log", "w") as log, contextlib.redirect_stderr(log):
        measure(what, count)


def measure(what: str, count: int) -> None:
    import django

    django.setup()
    from rest_framework_simplejwt.tokens import AccessToken

    from billing_site.wsgi import application

    from . import seed

    token = str(AccessToken.for_user(seed.ensure_users()[0]))
    first = run.next_unpaid_index() if what == "update" else 1

    def call(number: int) -> str:
        index = first + number if what == "update" else number * 7919 % 1_000_000 + 1
        body = seed.gateway_body(index)
        status = []
        environ = {
            **{"REQUEST_METHOD": "POST", "PATH_INFO": PATHS[what], "QUERY_STRING": ""},
            **{"SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "REMOTE_ADDR": "127.0.0.1"},
            **{"SERVER_PROTOCOL": "HTTP/1.1", "CONTENT_TYPE": "application/json"},
            **{"CONTENT_LENGTH": str(len(body)), "HTTP_AUTHORIZATION": f"Bearer {token}"},
            **{"wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr},
            **{"wsgi.url_scheme": "http", "wsgi.version": (1, 0), "wsgi.run_once": False},
            **{"wsgi.multithread": False, "wsgi.multiprocess": True},
        }
        answer = application(environ, lambda line, headers, exc_info=None: status.append(line))
        b"".join(answer)
        answer.close()
        return status[0]

    for number in range(WARM_UP):
        answered = call(number)
    if not answered.startswith("200"):
        print(f"{PATHS[what]} answered {answered}")
        raise SystemExit(1)
    before, started, threads = os.times(), time.perf_counter(), _thread_seconds()
    for number in range(WARM_UP, WARM_UP + count):
        call(number)
    after, wall = os.times(), time.perf_counter() - started
    per = 1e6 / count
    print(
        f"{count} requests to {PATHS[what]}: wall {wall * per:.0f} µs, "
        f"user {(after.user - before.user) * per:.0f} µs, "
        f"system {(after.system - before.system) * per:.0f} µs a request"
    )
    for thread, seconds in sorted(_thread_seconds().items()):
        print(f"  thread {thread}: {seconds - threads.get(thread, 0.0):.2f} s of CPU")


if __name__ == "__main__":
    main()
