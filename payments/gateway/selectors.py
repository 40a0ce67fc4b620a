"""The gateway's reads: billing records (issued invoices, paid or not) by their
reference pair, and all of them in keyset batches."""

from collections.abc import Iterator
from functools import partial

from django.db.models import CharField
from django.db.models.functions import Cast

from billing_site.api.batches import keyset_batches
from billing_site.compiled_query import CompiledValuesQuery
from invoices.models import Customer, Invoice, billing_today
from invoices.selectors import restricted_to_customers

# The columns of a billing record (the gateway's view of an invoice).
BILLING_RECORD_FIELDS = (
    "order_id",
    "number",
    "total",
    "amount_paid",
    "amount_credited",
    "currency",
    "description",
    "status",
    "created_at",
)


def _billing_records_by_reference(queryset, *, order_id: str, number: str):
    return (
        queryset.billing_records()
        .filter(order_id=order_id, number=number)
        .order_by()
        .values("pk", *BILLING_RECORD_FIELDS, "customer__name", "customer__account_number")[:1]
    )


# Users who see every customer (nearly every gateway client) share one query,
# compiled once: building it again cost more than the database took to answer.
_BILLING_RECORD_BY_REFERENCE = CompiledValuesQuery(
    partial(_billing_records_by_reference, Invoice.objects), "order_id", "number"
)


def billing_record_by_reference(*, user, order_id: str, number: str) -> dict | None:
    """The billing record row (``pk``, ``BILLING_RECORD_FIELDS``, ``customer__name``,
    ``customer__account_number``) of the invoice with this external order id and
    billing number, if ``user`` may see it. The columns a record shows and no
    ordering: the gateway asks this on every call."""
    if restricted_to_customers(user):
        rows = _billing_records_by_reference(
            Invoice.objects.visible_to(user), order_id=order_id, number=number
        )
    else:
        rows = _BILLING_RECORD_BY_REFERENCE.rows(order_id=order_id, number=number)
    return next(iter(rows), None)


# A billing record row as ``billing_record_batches`` reads it. Amounts and the
# creation time come as the database writes them in text ("10.3700" or "10.37",
# "2026-01-31 09:30:00.000000"): a million rows are read without a million
# datetime and decimal conversions.
BILLING_RECORD_COLUMNS = (
    "pk",
    "order_id",
    "number",
    "total_text",
    "amount_paid_text",
    "amount_credited_text",
    "currency",
    "description",
    "status",
    "created_text",
    "customer_id",
)


# How many customers a long read keeps at hand (a few MB), so that a customer
# with many invoices is read once, not once a batch.
KNOWN_CUSTOMERS_BOUND = 50_000


def billing_record_batches(
    *, user, status: str | None = None, batch_size: int = 10000
) -> Iterator[tuple[list[tuple], dict[int, tuple[str, str]]]]:
    """Every invoice ``user`` may see as a billing record, oldest first, in keyset
    batches: each batch's rows, as tuples of ``BILLING_RECORD_COLUMNS``, and
    ``(name, account_number)`` by customer id for at least that batch's
    customers. Customers are read by a second query per batch rather than a
    join, which MariaDB would plan as a scan and sort of every invoice of a
    customer."""
    queryset = Invoice.objects.visible_to(user).billing_records()
    if status == "paid":
        queryset = queryset.paid()
    elif status == "unpaid":
        queryset = queryset.unpaid()
    elif status == "overdue":
        queryset = queryset.overdue(billing_today())
    queryset = queryset.annotate(
        total_text=Cast("total", CharField()),
        amount_paid_text=Cast("amount_paid", CharField()),
        amount_credited_text=Cast("amount_credited", CharField()),
        created_text=Cast("created_at", CharField()),
    )
    customers: dict[int, tuple[str, str]] = {}  # kept across batches, up to a bound
    rows = queryset.values_list(*BILLING_RECORD_COLUMNS)
    for batch in keyset_batches(rows, batch_size=batch_size):
        if len(customers) > KNOWN_CUSTOMERS_BOUND:
            customers.clear()
        missing = {row[-1] for row in batch} - customers.keys()
        if missing:
            rows = Customer.objects.filter(pk__in=missing).values_list(
                "pk", "name", "account_number"
            )
            customers.update((pk, (name, number)) for pk, name, number in rows)
        yield batch, customers
