"""Benchmark data, inserted in bulk into the migrated schema.

Rows are made by ``INSERT ... SELECT`` over a sequence of numbers (MariaDB's
sequence engine, ``seq_1_to_N``; a recursive CTE on SQLite), so a million
invoices take seconds, not the hours a million service calls would. What the
services would derive is derived here too: issued (open) invoices with one
line each, totals equal to the line, nothing paid, the customer snapshot
frozen; customers get their account numbers from the service.

Invoice ``i`` (1-based) has billing number ``BENCH-0000001`` style numbers and
order id ``10000000 + i``, so the load scripts can address any of them."""

import contextlib
import datetime
import time

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from invoices.models import BilledCustomer, Customer, Invoice, InvoiceLine
from invoices.services import customer_create
from payments.demo import gateway_permissions
from reports.models import Order, OrderServiceCost, Service

NUMBER_PREFIX = "BENCH-"
NUMBER_WIDTH = 7
ORDER_ID_BASE = 10_000_000
CUSTOMER_PREFIX = "Bench Customer "
REPORT_CUSTOMER = "Bench Reports"
# Customers whose reports are PDFs of about these many lines (3 per order).
PDF_CUSTOMERS = {5_000: "Bench PDF 5000 lines", 20_000: "Bench PDF 20000 lines"}
SERVICES = ("Bench Picking", "Bench Packing", "Bench Shipping")
# The report customer's orders spread evenly over this many days from ORDERS_START,
# so the first tenth of the days holds exactly a tenth of the orders.
ORDERS_START = datetime.date(2025, 1, 1)
ORDERS_DAYS = 200
PDF_ORDERS_DATE = datetime.date(2025, 9, 1)
GATEWAY_USER = "bench-gateway"
STAFF_USER = "bench-staff"
INVOICE_CURRENCY = "USD"


def invoice_number(index: int) -> str:
    return f"{NUMBER_PREFIX}{index:0{NUMBER_WIDTH}d}"


def gateway_body(index: int) -> bytes:
    """The gateway's request body naming the ``index``-th benchmark invoice, as
    ``wrk/gateway.lua`` writes it."""
    return b'{"orderID": %d, "billingNumber": "%s"}' % (
        ORDER_ID_BASE + index,
        invoice_number(index).encode(),
    )


def invoice_index(number: str) -> int:
    return int(number.removeprefix(NUMBER_PREFIX))


def pdf_orders(lines: int) -> int:
    return -(-lines // len(SERVICES))


class Dialect:
    """The few SQL spellings that differ between MariaDB and SQLite."""

    def __init__(self):
        self.mysql = connection.vendor == "mysql"
        if self.mysql and not connection.mysql_is_mariadb:
            raise SystemExit("Seeding on MySQL needs MariaDB's sequence engine (seq_1_to_N).")

    def insert_select(
        self, table: str, columns: list[str], first: int, last: int, select: str, rest: str = ""
    ) -> str:
        """``INSERT INTO table (columns) SELECT select FROM s rest``, where ``s.seq``
        runs from first to last."""
        # Names and numbers come from this module and the models; values are parameters.
        head = f"INSERT INTO {_quote(table)} ({', '.join(columns)}) "
        if self.mysql:
            return f"{head}SELECT {select} FROM seq_{first}_to_{last} s {rest}"  # noqa: S608
        return (
            f"{head}WITH RECURSIVE s(seq) AS (SELECT {first} UNION ALL "  # noqa: S608
            f"SELECT seq + 1 FROM s WHERE seq < {last}) SELECT {select} FROM s {rest}"
        )

    def padded(self, expr: str, width: int) -> str:
        return f"LPAD({expr}, {width}, '0')" if self.mysql else f"printf('%%0{width}d', {expr})"

    def concat(self, *parts: str) -> str:
        return f"CONCAT({', '.join(parts)})" if self.mysql else " || ".join(parts)

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS {'CHAR' if self.mysql else 'TEXT'})"

    def add_days(self, expr: str) -> str:
        """A date parameter plus ``expr`` days."""
        if self.mysql:
            return f"DATE_ADD(%s, INTERVAL ({expr}) DAY)"
        return f"date(%s, '+' || ({expr}) || ' days')"

    def int_div(self, a: str, b: str) -> str:
        return f"({a}) DIV ({b})" if self.mysql else f"({a}) / ({b})"

    def cents(self, expr: str) -> str:
        return f"({expr}) / {'100' if self.mysql else '100.0'}"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@contextlib.contextmanager
def _timed(out, message: str):
    """Print ``message`` and, when the block is done, how long it took."""
    started = time.perf_counter()
    out(f"  seeding {message} ...")
    yield
    out(f"  seeded {message} in {time.perf_counter() - started:.1f} s")


def ensure_users() -> tuple:
    """The gateway client (the permissions of the demo's gateway user) and a
    staff user for the reports face. Neither has a usable password: the
    benchmark mints their tokens."""
    users = get_user_model()
    gateway, created = users.objects.get_or_create(username=GATEWAY_USER)
    if created:
        gateway.set_unusable_password()
        gateway.save()
    # Set on every run: a user seeded before a permission existed gets it too.
    gateway.user_permissions.set(gateway_permissions())
    staff, created = users.objects.get_or_create(
        username=STAFF_USER, defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        staff.set_unusable_password()
        staff.save()
    return gateway, staff


def _customer(name: str) -> Customer:
    customer = Customer.objects.filter(name=name).order_by("id").first()
    return customer or customer_create(name=name, email="billing@bench.example", country="US")


def ensure_customers(count: int) -> list[int]:
    """Ids of the invoice customers, created through the service (which numbers them)."""
    existing = list(
        Customer.objects.filter(name__startswith=CUSTOMER_PREFIX)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for position in range(len(existing) + 1, count + 1):
        existing.append(
            customer_create(
                name=f"{CUSTOMER_PREFIX}{position:05d}",
                email=f"customer{position}@bench.example",
                city="Baghdad",
                country="IQ",
            ).pk
        )
    return existing[:count]


def seed_invoices(dialect: Dialect, customer_ids: list[int], first: int, last: int, now) -> None:
    """Open invoices ``first..last``, customer ``i`` of every len(customer_ids),
    each with one line that makes its total."""
    invoice, line = Invoice._meta, InvoiceLine._meta
    columns = [
        "number",
        "order_id",
        "customer_id",
        "currency",
        "status",
        "issue_date",
        "due_date",
        "period_from",
        "period_to",
        "description",
        "subtotal",
        "tax",
        "total",
        "amount_paid",
        "amount_refunded",
        "amount_credited",
        "created_at",
        "updated_at",
        "issued_at",
    ]
    amount = dialect.cents("1000 + (s.seq * 37) %% 99000")
    issue = dialect.add_days("s.seq %% 365")
    due = dialect.add_days("s.seq %% 365 + 30")
    period_end = dialect.add_days("s.seq %% 365 + 29")
    select = ", ".join(
        [
            dialect.concat(f"'{NUMBER_PREFIX}'", dialect.padded("s.seq", NUMBER_WIDTH)),
            dialect.text(f"s.seq + {ORDER_ID_BASE}"),
            "c.id",
            f"'{INVOICE_CURRENCY}'",
            f"'{Invoice.Status.OPEN}'",
            issue,
            due,
            issue,
            period_end,
            "'Bench service, monthly'",
            amount,
            "0",
            amount,
            "0",  # paid
            "0",  # refunded
            "0",  # credited
            "%s",
            "%s",
            "%s",
        ]
    )
    # Invoice i belongs to the ((i - 1) mod n)-th customer, by ascending id.
    placeholders = ", ".join(["%s"] * len(customer_ids))
    rest = (
        "JOIN (SELECT id, name, email, account_number, tax_number, street, city, state, "  # noqa: S608
        "zip, country, ROW_NUMBER() OVER (ORDER BY id) - 1 AS position "
        f"FROM {_quote(Customer._meta.db_table)} WHERE id IN ({placeholders})"
        f") c ON c.position = (s.seq - 1) %% {len(customer_ids)}"
    )
    sql = dialect.insert_select(invoice.db_table, columns, first, last, select, rest)
    base = connection.ops.adapt_datefield_value(datetime.date(2026, 1, 1))
    stamp = connection.ops.adapt_datetimefield_value(now)
    params = [base, base, base, base, stamp, stamp, stamp, *customer_ids]
    before = Invoice.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _execute(sql, params)
    line_columns = [
        "invoice_id",
        "position",
        "description",
        "quantity",
        "unit_price",
        "tax_rate",
        "subtotal",
        "tax",
        "total",
    ]
    _execute(
        f"INSERT INTO {_quote(line.db_table)} ({', '.join(line_columns)}) "  # noqa: S608
        "SELECT id, 0, description, 1, total, 0, total, 0, total "
        f"FROM {_quote(invoice.db_table)} WHERE id > %s",
        [before],
    )
    # Each invoice's customer as frozen at issue (``Customer.snapshot``).
    snapshot = (
        "JSON_OBJECT('id', c.id, 'name', c.name, 'email', c.email, "
        "'account_number', c.account_number, 'tax_number', c.tax_number, "
        "'address', JSON_OBJECT('street', c.street, 'city', c.city, 'state', c.state, "
        "'zip', c.zip, 'country', c.country))"
    )
    _execute(
        f"INSERT INTO {_quote(BilledCustomer._meta.db_table)} (invoice_id, snapshot) "  # noqa: S608
        f"SELECT i.id, {snapshot} FROM {_quote(invoice.db_table)} i "
        f"JOIN {_quote(Customer._meta.db_table)} c ON c.id = i.customer_id WHERE i.id > %s",
        [before],
    )


def seed_orders(
    dialect: Dialect,
    customer: Customer,
    services: list[Service],
    count: int,
    start: datetime.date,
    days: int,
    now,
) -> None:
    """``count`` orders of ``customer`` spread evenly over ``days`` days from
    ``start``, each with a cost for every service."""
    select = ", ".join(
        [
            "%s",
            dialect.concat(f"'{NUMBER_PREFIX}'", dialect.padded("s.seq", NUMBER_WIDTH)),
            dialect.add_days(dialect.int_div(f"(s.seq - 1) * {days}", str(count))),
            "%s",
        ]
    )
    sql = dialect.insert_select(
        Order._meta.db_table,
        ["customer_id", "reference_number", "order_date", "created_at"],
        1,
        count,
        select,
    )
    _execute(
        sql,
        [
            customer.pk,
            connection.ops.adapt_datefield_value(start),
            connection.ops.adapt_datetimefield_value(now),
        ],
    )
    ids = ", ".join(str(service.pk) for service in services)
    _execute(
        f"INSERT INTO {_quote(OrderServiceCost._meta.db_table)} "  # noqa: S608
        "(order_id, service_id, amount_minor) "
        "SELECT o.id, v.id, 50 + (o.id * 7 + v.id * 13) %% 2000 "
        f"FROM {_quote(Order._meta.db_table)} o CROSS JOIN {_quote(Service._meta.db_table)} v "
        f"WHERE o.customer_id = %s AND v.id IN ({ids})",
        [customer.pk],
    )


def _ensure_orders(dialect, customer, services, count, start, days, now, out) -> bool:
    """Seed the customer's orders unless they are there; whether it did."""
    have = Order.objects.filter(customer=customer).count()
    if have == count:
        return False
    if have:
        raise SystemExit(
            f"{customer.name} has {have} orders, not {count}: run again with BENCH_RESEED=1."
        )
    with _timed(out, f"{count:,} orders with {len(services)} costs each for {customer.name}"):
        seed_orders(dialect, customer, services, count, start, days, now)
    return True


def seed(*, invoices: int, customers: int, orders: int, out=print) -> dict:
    """Create what is missing; return the users, customers and sizes the benchmark needs."""
    dialect = Dialect()
    now = timezone.now()
    seeded = False
    with transaction.atomic():
        gateway, staff = ensure_users()
        customer_ids = ensure_customers(customers)
        have = Invoice.objects.filter(number__startswith=NUMBER_PREFIX).count()
        if have < invoices:
            seeded = True
            with _timed(out, f"invoices {have + 1:,} to {invoices:,} with their lines"):
                seed_invoices(dialect, customer_ids, have + 1, invoices, now)
        services = [Service.objects.get_or_create(name=name)[0] for name in SERVICES]
        report_customer = _customer(REPORT_CUSTOMER)
        seeded |= _ensure_orders(
            dialect, report_customer, services, orders, ORDERS_START, ORDERS_DAYS, now, out
        )
        pdf_customers = {}
        for lines, name in PDF_CUSTOMERS.items():
            pdf_customers[lines] = _customer(name)
            seeded |= _ensure_orders(
                dialect,
                pdf_customers[lines],
                services,
                pdf_orders(lines),
                PDF_ORDERS_DATE,
                1,
                now,
                out,
            )
    if seeded and connection.vendor == "mysql":
        # Fresh statistics for the bulk-loaded tables, as a loaded server would have.
        with connection.cursor() as cursor:
            for model in (Invoice, InvoiceLine, Order, OrderServiceCost):
                cursor.execute(f"ANALYZE TABLE {_quote(model._meta.db_table)}")
                cursor.fetchall()
    return {
        "gateway": gateway,
        "staff": staff,
        "invoices": max(have, invoices),
        "report_customer": report_customer,
        "pdf_customers": pdf_customers,
    }
