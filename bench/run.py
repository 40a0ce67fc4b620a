"""``make bench``: seed the benchmark data, measure, print a table and write it as
JSON (and Markdown) under bench/results/. Knobs are environment variables; see
bench/README.md."""

import datetime
import json
import os
import platform
import re
import secrets
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from . import events, server
from .rounds import combine, judge_noise, load_average, load_text
from .server import RESULTS, ROOT, Server, timed_request

PROTECTED = re.compile(r"^(billing_test|billing_ci|test_)")
# Requests to each gateway view before its load, so the workers are warm.
WARM_UP = 16

# The targets (PASS/FAIL), set for MariaDB on two cores: bench/README.md says why
# each figure is where it is and how far it is from its limit.
CHECK_VS_BARE = 0.40  # checkPaymentStatus req/s over the bare view's
CHECK_VS_PLAIN = 1.0  # ... over the plain Django check's
UPDATE_VS_BARE = 0.25  # updatePaymentStatus req/s (each settling an invoice) over the bare view's
LOG_COST = 0.05  # share of checkPaymentStatus req/s the request log may cost
ALL_BILLING_S = 2.5  # getAllBilling of 1,000,000 rows, to the last byte, in every run
FIRST_BYTE_S = 0.1  # ... to the first byte
WORKER_PEAK_MIB = 100  # ... the serving worker's peak resident memory
REPORT_S = 1.5  # report generation, 100,000 orders
PDF_S = 0.5  # the 20,001-line PDF
PDF_RATIO = 4.2  # its time over the 5,001-line PDF's (linear is about 4)


@dataclass
class Config:
    database_url: str
    invoices: int
    customers: int
    orders: int
    duration: int
    threads: int
    connections: int
    workers: int
    timeout: int
    redis_url: str
    broker_url: str
    reseed: bool
    runs: int

    @classmethod
    def from_env(cls):
        env = os.environ.get
        return cls(
            database_url=env("DATABASE_URL") or "sqlite:///bench/results/bench.sqlite3",
            invoices=int(env("BENCH_INVOICES", "1000000")),
            customers=int(env("BENCH_CUSTOMERS", "1000")),
            orders=int(env("BENCH_ORDERS", "100000")),
            duration=int(env("BENCH_DURATION", "15")),
            threads=int(env("BENCH_THREADS", "2")),
            connections=int(env("BENCH_CONNECTIONS", "8")),
            workers=int(env("BENCH_WORKERS", "2")),
            # Longer than gunicorn's default 30 s, so a slow download is measured
            # rather than cut off; answers slower than 30 s are flagged.
            timeout=int(env("BENCH_GUNICORN_TIMEOUT", "300")),
            redis_url=env("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
            # The broker the servers queue background work on, as production does
            # (Procfile); a database of the benchmark's own.
            broker_url=env("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14"),
            reseed=env("BENCH_RESEED", "0") == "1",
            # Rounds of every measurement on the same data: medians, spreads, noise.
            runs=_at_least_one(int(env("BENCH_RUNS", "3"))),
        )


def _at_least_one(runs: int) -> int:
    if runs < 1:
        raise SystemExit(f"BENCH_RUNS={runs}: at least one run")
    return runs


def _redis_reachable(url: str) -> bool:
    if not url:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except Exception:
        return False


def configure(config: Config) -> dict:
    """The environment of the benchmark (this process and the servers)."""
    defaults = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": config.database_url,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        # As deployed: every request writes its access line (to the server's log file).
        "LOG_LEVEL": "INFO",
        # One client polls far above the default 6000/min: never throttled here,
        # but the throttle still counts every request, as it would in production.
        "THROTTLE_GATEWAY": "100000000/min",
        # The whole 100,000-order report as a PDF (default limit 50,000 lines).
        "REPORT_MAX_DOCUMENT_LINES": "1000000",
        "CACHE_KEY_PREFIX": "billing-bench",
    }
    if _redis_reachable(config.redis_url):
        defaults["REDIS_URL"] = config.redis_url
    if _redis_reachable(config.broker_url):
        defaults["CELERY_BROKER_URL"] = config.broker_url
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    return dict(os.environ)


def empty_queue() -> None:
    """Drop the background work the runs queued (no worker ran): the relays of the
    settled invoices' events and their deliveries; the events stay in the outbox."""
    from django.conf import settings

    if not settings.CELERY_TASK_ALWAYS_EAGER:
        import redis

        redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()  # the benchmark's own


def prepare_database(config: Config) -> None:
    """Refuse databases that are not the benchmark's; create (or, with
    BENCH_RESEED=1, recreate) the benchmark's."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    name = Path(db["NAME"]).name if db["ENGINE"].endswith("sqlite3") else db["NAME"]
    if "bench" not in name or PROTECTED.match(name):
        raise SystemExit(
            f"Refusing to seed {name!r}: the benchmark writes a million rows, so it "
            "only uses a database whose name contains 'bench' (and never test_*, "
            "billing_test*, billing_ci*)."
        )
    if db["ENGINE"].endswith("sqlite3"):
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        if config.reseed:
            for suffix in ("", "-wal", "-shm"):
                Path(db["NAME"] + suffix).unlink(missing_ok=True)
        return
    import MySQLdb

    server_connection = MySQLdb.connect(
        host=db["HOST"], port=int(db["PORT"]), user=db["USER"], password=db["PASSWORD"]
    )
    with server_connection.cursor() as cursor:
        if config.reseed:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(
            f"CREATE DATABASE IF NOT EXISTS `{name}` "
            "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
    server_connection.close()


def environment_facts(config: Config) -> dict:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        database = f"SQLite {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT VERSION()")
            database = f"MariaDB {cursor.fetchone()[0]}"
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": commit,
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "database": database,
        "database_url": re.sub(r"//[^@/]*@", "//***@", config.database_url),
        "cache": (
            f"Redis {settings.REDIS_URL} (shared throttle cache)"
            if settings.REDIS_URL
            else "local memory, per worker (no REDIS_URL)"
        ),
        "settings": "bench.settings = production settings, SECURE_SSL_REDIRECT=0",
        "background work": (
            f"queued on {settings.CELERY_BROKER_URL}, no worker during the runs "
            "(the request path's cost); the queue emptied after"
            if not settings.CELERY_TASK_ALWAYS_EAGER
            else "no broker: run in the web processes after each commit"
        ),
        "server": f"gunicorn, {config.workers} sync workers, --timeout {config.timeout}",
        "load": (
            f"wrk -t{config.threads} -c{config.connections} -d{config.duration}s "
            "-s bench/wrk/gateway.lua"
        ),
    }


# --- measurements ---------------------------------------------------------------


def measure_reports(data: dict, repeat: int = 3) -> dict:
    """Report generation in process, under CaptureQueriesContext, at a tenth and
    at the whole of the orders: seconds (the fastest of ``repeat``, as the machine
    may be busy with other work) and queries."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from reports.services import report_generate

    from . import seed

    delete_reports(data)  # left by a run that stopped half-way
    start = seed.ORDERS_START
    sizes = {
        "tenth": start + datetime.timedelta(days=seed.ORDERS_DAYS // 10 - 1),
        "all": start + datetime.timedelta(days=seed.ORDERS_DAYS - 1),
    }
    results = {}
    for label, end in sizes.items():
        samples = []
        for _ in range(repeat):
            reset_queries()  # the log keeps 9,000 statements: a full one captures none
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                report = report_generate(
                    customer=data["report_customer"], start_date=start, end_date=end
                )
                seconds = time.perf_counter() - started
            samples.append((round(seconds, 3), len(queries), report))
        seconds, count, report = min(samples, key=lambda sample: sample[0])
        results[label] = {
            "id": report.pk,
            "orders": report.order_count,
            "lines": report.line_count,
            "seconds": seconds,
            "samples_s": [sample[0] for sample in samples],
            "queries": count,
            "queries_each": [sample[1] for sample in samples],
        }
        print(
            f"  report of {report.order_count:,} orders: {results[label]['samples_s']} s, "
            f"{count} queries"
        )
    for lines, customer in data["pdf_customers"].items():
        day = seed.PDF_ORDERS_DATE
        report = report_generate(customer=customer, start_date=day, end_date=day)
        results[f"pdf_{lines}"] = {
            "id": report.pk,
            "orders": report.order_count,
            "lines": report.line_count,
        }
    return results


def delete_reports(data: dict) -> None:
    """Delete the benchmark's reports, so reports do not pile up run after run."""
    from reports.models import BillingReport

    customers = [data["report_customer"], *data["pdf_customers"].values()]
    BillingReport.objects.filter(customer__in=customers).delete()


def empty_request_log() -> int:
    """Empty the benchmark database's ``logs`` table, so that every suite starts from
    the seeded state: a run adds about 30,000 rows, and a table grown by the suites
    and profiles before (700,000 rows, 470 MiB, in MariaDB's 128 MiB buffer pool with
    the invoices) made every insert, and getAllBilling's scan, slower than in the
    suite before on the same code. How many rows it held."""
    from django.core.management.color import no_style
    from django.db import connection

    from audit.models import RequestLog

    count = RequestLog.objects.count()
    with connection.cursor() as cursor:
        tables = [RequestLog._meta.db_table]
        for statement in connection.ops.sql_flush(no_style(), tables, reset_sequences=True):
            cursor.execute(statement)
    return count


def next_unpaid_index() -> int:
    """The first benchmark invoice after the last one a previous run settled."""
    from invoices.models import Invoice

    from . import seed

    last = (
        Invoice.objects.filter(number__startswith=seed.NUMBER_PREFIX, status=Invoice.Status.PAID)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return seed.invoice_index(last) + 1 if last else 1


def gateway_runs(srv: Server, config: Config, data: dict, tokens: dict) -> dict:
    from payments.models import Payment

    from . import seed

    count = data["invoices"]
    common = {"order_base": seed.ORDER_ID_BASE, "config": config, "count": count}
    # Warm every view of both workers before measuring.
    body = seed.gateway_body(1)
    for path in ("/bench/plain-check", "/checkPaymentStatus"):
        for _ in range(WARM_UP):
            timed_request(srv.base, "POST", path, token=tokens["gateway"], body=body)
    runs = {}
    for name, path in (("bare", "/bench/bare"), ("plain", "/bench/plain-check")):
        runs[name] = server.wrk(
            srv.base, path, token=tokens["gateway"], mode="spread", first=1, **common
        )
        print(f"  {name}: {runs[name]['rps']} req/s")
    first = next_unpaid_index()
    paid_before = Payment.objects.filter(recorded_by=data["gateway"]).count()
    runs["update"] = update_load(srv, config, data, tokens, first)
    runs["update"]["settled"] = (
        Payment.objects.filter(recorded_by=data["gateway"]).count() - paid_before
    )
    print(f"  update: {runs['update']['rps']} req/s, {runs['update']['settled']} invoices settled")
    # Last, so the run without the request log (next, on a restarted server) follows it.
    runs["check"] = check_load(srv, config, data, tokens)
    print(f"  check: {runs['check']['rps']} req/s")
    return runs


def unpaid_warning(config: Config, count: int) -> str | None:
    """A warning when the runs may use up the unpaid invoices: each run settles
    invoices in two update runs (with and without the outbox), and no load settles
    2,000 a second on two cores. Past the last one, updatePaymentStatus fails."""
    left = count - next_unpaid_index() + 1
    most = config.runs * 2 * 2_000 * config.duration
    if left >= most:
        return None
    return (
        f"only {left:,} unpaid invoices left, and {config.runs} runs may settle up to "
        f"{most:,} (two update runs a run, under 2,000 a second); a run that finds none "
        "left answers non-2xx and fails; BENCH_RESEED=1 renews them"
    )


def update_load(srv: Server, config: Config, data: dict, tokens: dict, first: int) -> dict:
    """``updatePaymentStatus`` under load, each request settling the next unpaid invoice."""
    from django.utils import timezone

    from . import seed

    started_at = timezone.now()
    run = server.wrk(
        srv.base,
        "/updatePaymentStatus",
        token=tokens["gateway"],
        mode="walk",
        first=first,
        count=data["invoices"],
        order_base=seed.ORDER_ID_BASE,
        config=config,
    )
    return {**run, "first_index": first, "started_at": started_at}


def gateway_log_rows() -> int:
    from audit.models import RequestLog

    paths = ("/checkPaymentStatus", "/updatePaymentStatus")
    return RequestLog.objects.filter(endpoint__in=paths).count()


def check_load(srv: Server, config: Config, data: dict, tokens: dict) -> dict:
    """``checkPaymentStatus`` under load, on invoices spread over the whole table."""
    from . import seed

    return server.wrk(
        srv.base,
        "/checkPaymentStatus",
        token=tokens["gateway"],
        mode="spread",
        first=1,
        count=data["invoices"],
        order_base=seed.ORDER_ID_BASE,
        config=config,
    )


def downloads(srv: Server, token: str, reports: dict) -> dict:
    """The 300,000-line report as CSV and as PDF, once each; the PDFs of 5,001 and
    20,001 lines seven times each, keeping the fastest, since one sample of a
    fraction of a second is at the mercy of whatever else the machine is doing."""
    results = {}
    wanted = [
        ("csv_all", "all", "csv", 1),
        ("pdf_all", "all", "pdf", 1),
        ("pdf_5000", "pdf_5000", "pdf", 7),
        ("pdf_20000", "pdf_20000", "pdf", 7),
    ]
    for name, label, output, repeat in wanted:
        pk = reports[label]["id"]
        path = f"/api/v2/reports/{pk}/download/?format={output}"
        samples = [
            timed_request(srv.base, "GET", path, token=token, keep=False) for _ in range(repeat)
        ]
        result = min(samples, key=lambda sample: sample["last_byte_s"])
        result.pop("content")
        result.pop("tail")
        result["samples_s"] = [sample["last_byte_s"] for sample in samples]
        result["lines"] = reports[label]["lines"]
        results[name] = result
        print(f"  {name}: {result['status']}, {result['bytes']:,} bytes, {result['samples_s']} s")
    return results


def get_all_billing(srv: Server, token: str) -> dict:
    """One GET /getAllBilling on a fresh server: time, size, and the peak memory
    of the worker that served it (the one whose VmHWM grew most)."""
    from invoices.models import Invoice

    before = srv.worker_memory()
    result = timed_request(
        srv.base, "GET", "/getAllBilling", token=token, keep=False, count=b'"orderID"'
    )
    time.sleep(0.5)
    after = srv.worker_memory()
    grown = {pid: after[pid]["VmHWM"] - before.get(pid, {}).get("VmHWM", 0) for pid in after}
    served_by = max(grown, key=grown.get)
    result.pop("content")
    result["complete"] = result.pop("tail").endswith(b"]")
    result["expected_rows"] = Invoice.objects.billing_records().count()
    result["worker_peak_mib"] = round(after[served_by]["VmHWM"] / 1024, 1)
    result["worker_peak_before_mib"] = round(before.get(served_by, {}).get("VmHWM", 0) / 1024, 1)
    result["workers_peak_mib"] = {pid: round(m["VmHWM"] / 1024, 1) for pid, m in after.items()}
    print(
        f"  getAllBilling: {result['rows']:,} rows, {result['bytes']:,} bytes, "
        f"{result['last_byte_s']} s, worker peak {result['worker_peak_mib']} MiB"
    )
    return result


# --- the table ----------------------------------------------------------------------


def _ratio(a, b):
    return round(a / b, 3) if b else None


def _load_runs(results: dict) -> dict:
    return {
        **results["gateway"],
        "check without the log": results["check_without_request_log"],
        "update without the outbox": results["update_without_outbox"],
    }


def _whole(billing: dict) -> bool:
    """Whether getAllBilling answered every row."""
    return (
        billing["complete"]
        and billing["status"] == 200
        and billing["rows"] == billing["expected_rows"]
    )


def evaluate(results: dict, rounds: list[dict] | None = None) -> dict:
    """The targets, on ``results``: the medians of ``rounds`` (the runs' own results).
    Whether each answer was sound (2xx, 200, every row, every signature) is asked of
    every run, since a median would hide one bad run among three."""
    rounds = rounds or [results]
    runs, reports, files = results["gateway"], results["reports"], results["downloads"]
    billing, nolog = results["get_all_billing"], results["check_without_request_log"]
    nooutbox, delivered = results["update_without_outbox"], results["events"]
    check = runs["check"]["rps"]
    ratios = {
        "check_vs_bare": _ratio(check, runs["bare"]["rps"]),
        "check_vs_plain": _ratio(check, runs["plain"]["rps"]),
        "pdf_20000_vs_5000": _ratio(
            files["pdf_20000"]["last_byte_s"], files["pdf_5000"]["last_byte_s"]
        ),
        "pdf_lines_20000_vs_5000": _ratio(files["pdf_20000"]["lines"], files["pdf_5000"]["lines"]),
        "request_log_cost": round(1 - check / nolog["rps"], 3) if nolog["rps"] else None,
        "outbox_cost": round(1 - runs["update"]["rps"] / nooutbox["rps"], 3)
        if nooutbox["rps"]
        else None,
    }
    failing = {}
    for each in rounds:
        for name, run in _load_runs(each).items():
            if run["non_2xx_share"]:
                failing[name] = max(failing.get(name, 0), run["non_2xx_share"])
    update = runs["update"]["rps"]
    ratios["update_vs_bare"] = _ratio(update, runs["bare"]["rps"])
    # getAllBilling's limits hold in every run, not only in the median one.
    slowest = max(each["get_all_billing"]["last_byte_s"] for each in rounds)
    first_byte = max(each["get_all_billing"]["first_byte_s"] for each in rounds)
    peak = max(each["get_all_billing"]["worker_peak_mib"] for each in rounds)
    every = "every run" if len(rounds) > 1 else "the run"
    targets = [
        (
            # A figure of refused requests measures nothing: every run must be 2xx.
            "every load run answers 2xx",
            ", ".join(f"{name} {share:.1%} non-2xx" for name, share in failing.items()) or "all",
            not failing,
        ),
        (
            f"checkPaymentStatus req/s ≥ {CHECK_VS_BARE} x bare (a)",
            ratios["check_vs_bare"],
            ratios["check_vs_bare"] >= CHECK_VS_BARE,
        ),
        (
            f"checkPaymentStatus req/s ≥ {CHECK_VS_PLAIN} x plain (b)",
            ratios["check_vs_plain"],
            ratios["check_vs_plain"] >= CHECK_VS_PLAIN,
        ),
        (
            f"updatePaymentStatus req/s ≥ {UPDATE_VS_BARE} x bare (a), each settling an invoice",
            ratios["update_vs_bare"],
            ratios["update_vs_bare"] >= UPDATE_VS_BARE,
        ),
        (
            f"request log costs ≤ {LOG_COST:.0%} of checkPaymentStatus req/s",
            f"{ratios['request_log_cost']:.1%}",
            ratios["request_log_cost"] <= LOG_COST,
        ),
        (
            f"getAllBilling (all rows) ≤ {ALL_BILLING_S} s in {every}",
            f"{slowest} s (median {billing['last_byte_s']} s)",
            slowest <= ALL_BILLING_S and all(_whole(each["get_all_billing"]) for each in rounds),
        ),
        (
            f"getAllBilling first byte ≤ {FIRST_BYTE_S} s in {every}",
            f"{first_byte} s",
            first_byte <= FIRST_BYTE_S,
        ),
        (
            f"getAllBilling worker peak ≤ {WORKER_PEAK_MIB} MiB in {every}",
            f"{peak} MiB",
            peak <= WORKER_PEAK_MIB,
        ),
        (
            f"report of {reports['all']['orders']:,} orders ≤ {REPORT_S} s",
            f"{reports['all']['seconds']} s",
            reports["all"]["seconds"] <= REPORT_S,
        ),
        (
            "report queries constant",
            f"{reports['tenth']['queries']} at {reports['tenth']['orders']:,} orders, "
            f"{reports['all']['queries']} at {reports['all']['orders']:,}",
            len({*reports["tenth"]["queries_each"], *reports["all"]["queries_each"]}) == 1,
        ),
        (
            f"PDF of {files['pdf_20000']['lines']:,} lines ≤ {PDF_S} s",
            f"{files['pdf_20000']['last_byte_s']} s",
            files["pdf_20000"]["last_byte_s"] <= PDF_S
            and all(each["downloads"]["pdf_20000"]["status"] == 200 for each in rounds),
        ),
        (
            f"PDF time ratio {files['pdf_20000']['lines']:,} / "
            f"{files['pdf_5000']['lines']:,} lines ≤ {PDF_RATIO}",
            ratios["pdf_20000_vs_5000"],
            ratios["pdf_20000_vs_5000"] <= PDF_RATIO,
        ),
        (
            "every event of the update run delivered, signed",
            delivered.get("skipped")
            or f"{delivered['delivered']:,} of {delivered['events']:,},"
            f" {delivered['bad_signatures']} bad signatures",
            "skipped" in delivered
            or (
                delivered["complete"]
                and not any(each["events"]["bad_signatures"] for each in rounds)
            ),
        ),
    ]
    return {
        "ratios": ratios,
        "targets": [
            {"target": name, "measured": measured, "result": "PASS" if ok else "FAIL"}
            for name, measured, ok in targets
        ],
    }


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _at(tree: dict, path: tuple):
    """The value at ``path`` in nested dicts, {} where there is none."""
    for key in path:
        tree = tree.get(key, {})
    return tree


def render(report: dict) -> str:
    """The tables of a report: medians, each with its spread over the runs."""
    results, spreads, rounds = report["results"], report["spreads"], len(report["runs"])
    runs = results["gateway"]
    bare, plain = runs["bare"], runs["plain"]

    def ms(run, key):
        return run["latency_us"][key] / 1000

    def spread(*path):
        found = _at(spreads, path)
        return "" if found == {} else f" ({found}%)"

    def detail(samples, *path):
        """A single run's samples; with several runs, each run's figure at ``path``."""
        if rounds > 1:
            return f" (runs: {', '.join(str(_at(each, path)) for each in report['runs'])})"
        return f" (fastest of {samples})" if len(samples) > 1 else ""

    throughput = []
    for path, label in (
        (("gateway", "bare"), "(a) bare Django view"),
        (("gateway", "plain"), "(b) plain Django check"),
        (("gateway", "check"), "checkPaymentStatus"),
        (("gateway", "update"), "updatePaymentStatus"),
        (("check_without_request_log",), "checkPaymentStatus, no request log"),
        (("update_without_outbox",), "updatePaymentStatus, no outbox"),
    ):
        run = _at(results, path)
        throughput.append(
            [
                label,
                f"{run['rps']}{spread(*path, 'rps')}",
                f"{ms(run, 'p50'):.1f}{spread(*path, 'latency_us', 'p50')}",
                f"{ms(run, 'p99'):.1f}{spread(*path, 'latency_us', 'p99')}",
                f"{run['non_2xx_share']:.2%}",
                _ratio(run["rps"], bare["rps"]),
                _ratio(run["rps"], plain["rps"]),
                _ratio(ms(run, "p50"), ms(bare, "p50")),
                _ratio(ms(run, "p50"), ms(plain, "p50")),
                _ratio(ms(run, "p99"), ms(bare, "p99")),
                _ratio(ms(run, "p99"), ms(plain, "p99")),
            ]
        )
    gateway = _table(
        [
            "endpoint",
            "req/s",
            "p50 ms",
            "p99 ms",
            "non-2xx",
            "req/s ÷ (a)",
            "req/s ÷ (b)",
            "p50 ÷ (a)",
            "p50 ÷ (b)",
            "p99 ÷ (a)",
            "p99 ÷ (b)",
        ],
        throughput,
    )
    billing, reports, files = (
        results["get_all_billing"],
        results["reports"],
        results["downloads"],
    )
    other = [
        [
            f"GET /getAllBilling ({billing['rows']:,} rows"
            + ("" if billing["rows"] == billing["expected_rows"] else ", INCOMPLETE")
            + ")",
            f"first byte {billing['first_byte_s']} s, last byte {billing['last_byte_s']} s"
            f"{spread('get_all_billing', 'last_byte_s')}, {billing['bytes']:,} bytes, worker "
            f"peak (VmHWM) {billing['worker_peak_mib']} MiB"
            f"{spread('get_all_billing', 'worker_peak_mib')}",
        ]
    ]
    limits = results.get("database_limits")
    if limits:
        lookups, rows = limits["check_lookups"], limits["all_billing"]
        other += [
            [
                "the database's own time: checkPaymentStatus's lookup (mariadb client)",
                f"{lookups['per_lookup_us']} µs a lookup"
                f"{spread('database_limits', 'check_lookups', 'per_lookup_us')}"
                f" ({lookups['lookups']:,} one after the other on one connection)",
            ],
            [
                "the database's own time: getAllBilling's statements (mariadb client)",
                f"{rows['seconds']} s{spread('database_limits', 'all_billing', 'seconds')}"
                f" to the last of {rows['rows']:,} rows ({rows['statements']} statements)",
            ],
        ]
    for label in ("tenth", "all"):
        report_figures = reports[label]
        other.append(
            [
                f"report_generate in process, {report_figures['orders']:,} orders "
                f"({report_figures['lines']:,} lines)",
                f"{report_figures['seconds']} s{spread('reports', label, 'seconds')}"
                f"{detail(report_figures['samples_s'], 'reports', label, 'seconds')}, "
                f"{report_figures['queries']} queries",
            ]
        )
    for name, label in (
        ("csv_all", "download CSV"),
        ("pdf_all", "download PDF"),
        ("pdf_5000", "download PDF"),
        ("pdf_20000", "download PDF"),
    ):
        result = files[name]
        slow = ", over gunicorn's default 30 s timeout" if result["last_byte_s"] > 30 else ""
        other.append(
            [
                f"{label}, {result['lines']:,} lines",
                f"HTTP {result['status']}, {result['last_byte_s']} s"
                f"{spread('downloads', name, 'last_byte_s')}, {result['bytes']:,} bytes{slow}"
                f"{detail(result['samples_s'], 'downloads', name, 'last_byte_s')}",
            ]
        )
    update, delivered = runs["update"], results["events"]
    outbox = report["ratios"]["outbox_cost"]
    other.append(
        [
            "outbox cost on updatePaymentStatus",
            f"{outbox:.1%} of its req/s ({results['update_without_outbox']['rps']} without the"
            f" events, {update['rps']} with them)",
        ]
    )
    other.append(
        [
            "events delivered by the Procfile's worker (2 processes)",
            delivered.get("skipped")
            or f"{delivered['events_per_second']} events/s{spread('events', 'events_per_second')}"
            f": {delivered['delivered']:,} of {delivered['events']:,}"
            f" ({delivered['relay_tasks_queued']:,} relay tasks) in {delivered['seconds']} s,"
            " signatures checked by the receiver",
        ]
    )
    expected = sum(runs[name]["requests"] for name in ("check", "update")) + WARM_UP
    other.append(
        [
            "request log rows of the gateway runs",
            f"{results['gateway_log_rows_when_load_ended']:,} when the last load ended,"
            f" {results['gateway_log_rows']:,} once the server had stopped, for {expected:,}"
            " answers counted (with the warm-up requests): "
            + ("none missing" if results["gateway_log_rows_complete"] else "ROWS MISSING"),
        ]
    )
    first = report["runs"][0]["gateway"]["update"]["first_index"]
    other.append(
        [
            "updatePaymentStatus invoices settled",
            f"{update['settled']:,}"
            + (" a run (medians), the first run's" if rounds > 1 else "")
            + f" from BENCH-{first:07d}; wrk counted {update['requests']:,} answers"
            " (it drops those in flight when it stops)",
        ]
    )
    machine = report["machine"]
    loads = [["suite", *machine["suite"].values()]]
    loads += [[f"run {number}", *run.values()] for number, run in enumerate(machine["runs"], 1)]
    load_table = _table(
        [f"load average (1, 5, 15 min), {machine['cpus']} CPUs", "before", "after"],
        [[name, *map(load_text, pair)] for name, *pair in loads],
    )
    notes = [f"{report['noise']['text']}."]
    if rounds > 1:
        notes.insert(
            0,
            f"{rounds} runs on the same data: each figure is their median, with its spread"
            " ((max - min) ÷ median) in parentheses; ratios and targets come from the medians.",
        )
    notes += [f"Warning: {text}." for text in report["warnings"]]
    targets = _table(
        ["target", "measured", "result"],
        [[t["target"], t["measured"], t["result"]] for t in report["targets"]],
    )
    return "\n\n".join(
        [gateway, _table(["measure", "result"], other), load_table, "\n".join(notes), targets]
    )


def database_limits(data: dict, lookups: int = 5000) -> dict:
    """The statements of checkPaymentStatus (``lookups`` of them, spread as the
    load spreads them) and of getAllBilling, replayed by the mariadb client."""
    from . import limits, seed

    count = data["invoices"]
    indexes = [(k * 7919) % count + 1 for k in range(lookups)]
    references = [(str(seed.ORDER_ID_BASE + i), seed.invoice_number(i)) for i in indexes]
    return {
        "check_lookups": limits.check_lookups(data["gateway"], references),
        "all_billing": limits.all_billing(data["gateway"]),
    }


def measure_round(config: Config, env: dict, data: dict, tokens: dict) -> dict:
    """One round of every measurement on the seeded data: its ``results``."""
    from django.db import connections

    results = {}
    options = {"workers": config.workers, "timeout": config.timeout}
    connections.close_all()  # the servers own the database now (SQLite: one writer)
    print("gateway throughput")
    logged_before = gateway_log_rows()
    with Server("main", env=env, **options) as srv:
        results["gateway"] = gateway_runs(srv, config, data, tokens)
        # Rows written while the workers still run: the writers kept up.
        results["gateway_log_rows_when_load_ended"] = gateway_log_rows() - logged_before
    # Counted once the server has stopped: its workers write their queued rows as they exit.
    results["gateway_log_rows"] = gateway_log_rows() - logged_before
    # Each run's requests, and the warm-up ones: at least one row each.
    answers = sum(results["gateway"][name]["requests"] for name in ("check", "update"))
    results["gateway_log_rows_complete"] = results["gateway_log_rows"] >= answers + WARM_UP
    print("checkPaymentStatus without the request log (server restarted)")
    with Server("nolog", env={**env, "BENCH_REQUEST_LOG": "0"}, **options) as srv:
        results["check_without_request_log"] = check_load(srv, config, data, tokens)
        print(f"  check without log: {results['check_without_request_log']['rps']} req/s")
    print("updatePaymentStatus without the outbox (server restarted)")
    with Server("nooutbox", env={**env, "BENCH_OUTBOX": "0"}, **options) as srv:
        results["update_without_outbox"] = update_load(
            srv, config, data, tokens, next_unpaid_index()
        )
        print(f"  update without outbox: {results['update_without_outbox']['rps']} req/s")
    print("events: the update run's delivered by the Procfile's worker")
    results["events"] = events.deliveries(env, since=results["gateway"]["update"]["started_at"])
    print(f"  {results['events']}")
    # After the loads, so the previous run's deleted report lines (below) had the
    # loads' time to be purged by InnoDB before report generation is timed again.
    print("report generation (in process)")
    results["reports"] = measure_reports(data)
    from . import limits

    if limits.available():
        print("the database's own time (the mariadb client)")
        results["database_limits"] = database_limits(data)
        print(f"  {results['database_limits']}")
    connections.close_all()
    print("getAllBilling (fresh server), then report downloads")
    with Server("billing", env=env, **options) as srv:
        results["get_all_billing"] = get_all_billing(srv, tokens["gateway"])
        results["downloads"] = downloads(srv, tokens["staff"], results["reports"])
    # Now rather than at the next start, so reports do not pile up run after run.
    delete_reports(data)
    empty_queue()
    return results


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # progress shows under make too
    config = Config.from_env()
    machine = {"cpus": os.cpu_count(), "suite": {"before": load_average()}, "runs": []}
    env = configure(config)
    # Seeding a million rows is one statement: this process waits as a command does,
    # the servers (started with ``env``) as a web process.
    os.environ["BILLING_COMMAND_PROCESS"] = "1"
    server.ensure_wrk()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from rest_framework_simplejwt.tokens import AccessToken

    from . import seed

    prepare_database(config)
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(
        f"database {connection.vendor} ({config.database_url}): migrated; seeding what is missing"
    )
    data = seed.seed(invoices=config.invoices, customers=config.customers, orders=config.orders)
    seed_seconds = round(time.perf_counter() - started, 1)
    facts = environment_facts(config)
    print(f"ready in {seed_seconds} s; {facts['cache']}")
    tokens = {name: str(AccessToken.for_user(data[name])) for name in ("gateway", "staff")}
    warnings = [text for text in (unpaid_warning(config, data["invoices"]),) if text]
    for text in warnings:
        print(f"warning: {text}")
    # Work left on the broker's database (a run stopped half-way, a profile) would
    # be delivered first and taken for the update run's.
    empty_queue()
    print(f"request log emptied ({empty_request_log():,} rows of earlier suites)")
    rounds = []
    for number in range(1, config.runs + 1):
        before = load_average()
        print(f"run {number} of {config.runs} (load average {before})")
        rounds.append(measure_round(config, env, data, tokens))
        machine["runs"].append({"before": before, "after": load_average()})
    machine["suite"]["after"] = load_average()
    medians, spreads = combine(rounds)
    results = {"seed_seconds": seed_seconds, **medians}
    evaluation = judge_noise(evaluate(results, rounds), spreads, machine)
    report = {
        "facts": facts,
        "config": asdict(config),
        "machine": machine,
        "warnings": warnings,
        **evaluation,
        "results": results,
        "spreads": spreads,
        "runs": rounds,
    }
    text = render(report)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"{connection.vendor}-{stamp}"
    path.with_suffix(".json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    header = "\n".join(f"- {name}: {value}" for name, value in facts.items())
    path.with_suffix(".md").write_text(f"{header}\n\n{text}\n")
    print(f"\n{header}\n\n{text}\n\nwritten to {path}.json and .md")


if __name__ == "__main__":
    sys.exit(main())
