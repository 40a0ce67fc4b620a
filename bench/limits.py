"""The database's own time for the rows the gateway reads, measured with the
``mariadb`` command-line client (MariaDB only): the statements the service runs,
captured as it runs them, replayed by the client into /dev/null. It is the
limit the gateway's figures are compared with in bench/README.md."""

import shutil
import subprocess
import time

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from payments.gateway.selectors import billing_record_batches, billing_record_by_reference


def available() -> bool:
    return connection.vendor == "mysql" and shutil.which("mariadb") is not None


def client_seconds(script: str) -> float:
    """Seconds the mariadb client takes to run ``script`` and read every row it
    returns (``--quick``: row by row, as the service streams them)."""
    db = connection.settings_dict
    command = [
        *("mariadb", "--batch", "--quick", "--skip-column-names"),
        *(f"--host={db['HOST'] or '127.0.0.1'}", f"--port={db['PORT'] or 3306}"),
        f"--user={db['USER']}",
        db["NAME"],
    ]
    if db["PASSWORD"]:
        command.insert(-1, f"--password={db['PASSWORD']}")
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - the benchmark's own database and statements
        command, input=script.encode(), stdout=subprocess.DEVNULL, check=True
    )
    return time.perf_counter() - started


def _captured(work) -> list[str]:
    """The statements ``work()`` runs, as the database received them."""
    # The log keeps the last 9,000 statements: started empty, it holds them all
    # (getAllBilling runs some 400, the lookups one each).
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        work()
    statements = [query["sql"] for query in captured.captured_queries]
    reset_queries()
    return statements


def _script(statements: list[str]) -> str:
    return "".join(f"{sql};\n" for sql in statements)


def check_lookups(user, references: list[tuple[str, str]]) -> dict:
    """checkPaymentStatus's lookup of each (order id, billing number), one after
    the other on one connection: microseconds a lookup, the client's start
    (an empty script) taken off."""

    def look_up_all():
        for order_id, number in references:
            billing_record_by_reference(user=user, order_id=order_id, number=number)

    statements = _captured(look_up_all)
    empty = min(client_seconds("SELECT 1;\n") for _ in range(3))
    seconds = client_seconds(_script(statements)) - empty
    return {
        "lookups": len(references),
        "statements": len(statements),
        "seconds": round(seconds, 3),
        "per_lookup_us": round(1e6 * seconds / len(references), 1),
    }


def all_billing(user) -> dict:
    """The statements getAllBilling runs for every record (its keyset batches and
    their customers), replayed: seconds to the last row."""
    rows = 0

    def read_all():
        nonlocal rows
        for batch, _customers in billing_record_batches(user=user):
            rows += len(batch)

    statements = _captured(read_all)
    return {
        "statements": len(statements),
        "rows": rows,
        "seconds": round(client_seconds(_script(statements)), 3),
    }
