"""Profile one gunicorn worker with py-spy while it serves a benchmark load, on
the data ``make bench`` seeded:

    .venv/bin/python -m bench.profile check|update|plain|getAllBilling|pdf [seconds]

Writes py-spy's collapsed stacks to bench/results/profile-<what>.txt and prints
the functions that hold the most samples (inclusive, and as the innermost
frame), the project's own code first."""

import collections
import os
import re
import shutil
import subprocess
import sys
import threading

from . import run, server
from .server import RESULTS, ROOT, Server, timed_request


def summarise(path, top: int = 25) -> str:
    inclusive, own, total = collections.Counter(), collections.Counter(), 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        # By function, not by line: "f (file.py:12)" -> "f (file.py)".
        frames, samples = re.sub(r":\d+\)", ")", stack).split(";"), int(count)
        total += samples
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    # py-spy names files relative to their sys.path entry: "audit/middleware.py".
    ours = tuple(f"({entry.name}/" for entry in ROOT.iterdir() if (entry / "__init__.py").exists())

    def listing(counter, only_ours):
        rows = [
            f"{100 * samples / total:5.1f}%  {frame}"
            for frame, samples in counter.most_common()
            if not only_ours or any(package in frame for package in ours)
        ]
        return "\n".join(rows[:top])

    return "\n\n".join(
        [
            f"{total} samples",
            "inclusive, project code:\n" + listing(inclusive, True),
            "inclusive, all:\n" + listing(inclusive, False),
            "innermost frame:\n" + listing(own, False),
        ]
    )


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else "check"
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    py_spy = shutil.which("py-spy") or str(ROOT / ".venv" / "bin" / "py-spy")
    config = run.Config.from_env()
    env = run.configure(config)
    # This process waits on the database as a command does (run.main), the server as a web one.
    os.environ["BILLING_COMMAND_PROCESS"] = "1"
    import django

    django.setup()
    from django.db import connections
    from rest_framework_simplejwt.tokens import AccessToken

    from invoices.models import Customer, Invoice
    from reports.models import BillingReport
    from reports.services import report_generate

    from . import seed

    data = {"gateway": seed.ensure_users()[0], "staff": seed.ensure_users()[1]}
    token = str(AccessToken.for_user(data["gateway"]))
    staff = str(AccessToken.for_user(data["staff"]))
    count = Invoice.objects.filter(number__startswith=seed.NUMBER_PREFIX).count()
    first = run.next_unpaid_index()
    report = (
        BillingReport.objects.filter(customer__name=seed.PDF_CUSTOMERS[20_000])
        .order_by("-id")
        .first()
    )
    if report is None and what == "pdf":  # make bench deletes its reports when done
        customer = Customer.objects.get(name=seed.PDF_CUSTOMERS[20_000])
        day = seed.PDF_ORDERS_DATE
        report = report_generate(customer=customer, start_date=day, end_date=day)
    connections.close_all()
    # One worker, so every request of the load is in the profile.
    with Server(f"profile-{what}", workers=1, timeout=config.timeout, env=env) as srv:
        pid = srv.worker_pids()[0]
        out = RESULTS / f"profile-{what}.txt"
        record = subprocess.Popen(  # noqa: S603
            [
                *(py_spy, "record", "--format", "raw", "-r", "200", "-d", str(seconds)),
                *("-o", str(out), "--pid", str(pid)),
            ],
            stdout=subprocess.DEVNULL,
        )
        if what in ("check", "update", "plain"):
            path = {"check": "/checkPaymentStatus", "update": "/updatePaymentStatus"}.get(
                what, "/bench/plain-check"
            )
            config.duration = seconds
            server.wrk(
                srv.base,
                path,
                token=token,
                mode="walk" if what == "update" else "spread",
                first=first,
                count=count,
                order_base=seed.ORDER_ID_BASE,
                config=config,
            )
        else:
            path = (
                "/getAllBilling"
                if what == "getAllBilling"
                else f"/api/v2/reports/{report.pk}/download/?format=pdf"
            )
            user = token if what == "getAllBilling" else staff
            # Requests back to back until py-spy is done.
            done = threading.Event()
            threading.Thread(target=lambda: (record.wait(), done.set()), daemon=True).start()
            while not done.is_set():
                timed_request(srv.base, "GET", path, token=user, keep=False)
        record.wait()
    run.empty_queue()  # the relays an update load queued: no worker ran
    print(summarise(out))


if __name__ == "__main__":
    main()
