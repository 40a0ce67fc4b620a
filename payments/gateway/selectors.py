"""The gateway's reads: billing records (issued invoices, paid or not) by their
reference pair, and all of them in keyset batches."""

from collections.abc import Iterator, Sequence
from functools import partial

from django.db import connections, transaction
from django.db.models import CharField, DecimalField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, NullIf

from billing_site.api.batches import compiled_keyset_batches
from billing_site.compiled_query import CompiledRowsQuery, CompiledValuesQuery
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


# The subqueries find one row by its key: no ORDER BY (the models' default
# ordering), which MariaDB would plan for each.
def _customer(column: str) -> Subquery:
    return Subquery(Customer.objects.filter(pk=OuterRef("customer_id")).order_by().values(column))


def _bill_pk() -> Subquery:
    # The bills app's model, reached through the invoice's reverse one-to-one: a
    # paid invoice is a paid bill (``bills.events``), and this read is where a
    # settlement can learn, without a round trip of its own, that there is none.
    bills = Invoice.bill.related.related_model.objects
    return Subquery(bills.filter(invoice=OuterRef("pk")).order_by().values("pk"))


# The invoice of a record locked, with its customer's name and account number
# and its bill's id (none on most): a subquery's rows are not locked by the
# outer FOR UPDATE (a join's would be, and every payment of a customer would
# queue on its row).
_LOCKED_RECORD = CompiledRowsQuery(
    lambda order_id, number: (
        Invoice.objects.billing_records()
        .select_for_update()
        .filter(order_id=order_id, number=number)
        .annotate(
            customer_name=_customer("name"),
            customer_account_number=_customer("account_number"),
            bill_pk=_bill_pk(),
        )
        .order_by()
    ),
    "order_id",
    "number",
)


def locked_billing_record(*, order_id: str, number: str) -> Invoice | None:
    """The invoice of the billing record with this reference pair, read locked in
    the caller's transaction, for a user who sees every customer; ``record_row``
    turns it into the record's row."""
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("A record is locked inside a transaction.")
    invoice = next(iter(_LOCKED_RECORD.rows(order_id=order_id, number=number)), None)
    if invoice is not None and invoice.bill_pk is None:
        # Known to be no bill's, as select_related("bill") would leave it: paying
        # it off derives no ``bill.paid``, and needs no lookup to know it.
        Invoice.bill.related.set_cached_value(invoice, None)
    return invoice


def record_row(invoice: Invoice) -> dict:
    """The row ``billing_record_by_reference`` gives for the invoice of
    ``locked_billing_record``, with its amounts and status as they are now."""
    row = {field: getattr(invoice, field) for field in BILLING_RECORD_FIELDS}
    row["pk"] = invoice.pk
    row["customer__name"] = invoice.customer_name
    row["customer__account_number"] = invoice.customer_account_number
    return row


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
# datetime and decimal conversions. The amounts paid and credited are None
# where they are zero, as they are on nearly every unpaid invoice.
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


def _billing_record_rows(queryset) -> tuple:
    """``queryset``'s rows of ``BILLING_RECORD_COLUMNS``, and the MySQLdb converters
    to read them with. MySQL's protocol carries every value as text: read without
    the driver's decimal and datetime converters, the amounts and times are the
    server's own text, which it then need not cast. SQLite casts them."""
    mysql = connections[queryset.db].vendor == "mysql"

    def text(expression):
        return expression if mysql else Cast(expression, CharField())

    def unless_zero(field):
        return NullIf(field, Value(0), output_field=DecimalField())

    rows = queryset.annotate(
        total_text=text(F("total")),
        amount_paid_text=text(unless_zero("amount_paid")),
        amount_credited_text=text(unless_zero("amount_credited")),
        created_text=text(F("created_at")),
    ).values_list(*BILLING_RECORD_COLUMNS)
    if not mysql:
        return rows, None
    from MySQLdb.constants import FIELD_TYPE

    return rows, {FIELD_TYPE.NEWDECIMAL: str, FIELD_TYPE.DATETIME: str}


# How many customers a long read keeps at hand (a few MB), so that a customer
# with many invoices is read once, not once a batch.
KNOWN_CUSTOMERS_BOUND = 50_000


def billing_record_batches(
    *, user, status: str | None = None, batch_size: int = 2500
) -> Iterator[tuple[Sequence[tuple], dict[int, tuple[str, str]]]]:
    """Every invoice ``user`` may see as a billing record, oldest first, in keyset
    batches: each batch's rows, as tuples of ``BILLING_RECORD_COLUMNS``, and
    ``(name, account_number)`` by customer id for at least that batch's
    customers. Customers are read by a second query per batch rather than a
    join, which MariaDB would plan as a scan and sort of every invoice of a
    customer. On MariaDB the next batch is on its way from the database while
    the caller writes one (``compiled_keyset_batches``): the caller runs no
    query of its own until it has read every batch. 2,500 rows (about 300 KB
    as the server sends them) fit in the connection's socket buffers, so the
    server finishes the next batch before it is read; larger batches left it
    waiting on the socket, and held more memory."""
    queryset = Invoice.objects.visible_to(user).billing_records()
    if status == "paid":
        queryset = queryset.paid()
    elif status == "unpaid":
        queryset = queryset.unpaid()
    elif status == "overdue":
        queryset = queryset.overdue(billing_today())
    rows, converters = _billing_record_rows(queryset)
    customers: dict[int, tuple[str, str]] = {}  # kept across batches, up to a bound

    def with_customers(batch) -> dict[int, tuple[str, str]]:
        if len(customers) > KNOWN_CUSTOMERS_BOUND:
            customers.clear()
        missing = {row[-1] for row in batch} - customers.keys()
        if missing:
            found = Customer.objects.filter(pk__in=missing).values_list(
                "pk", "name", "account_number"
            )
            customers.update((pk, (name, number)) for pk, name, number in found)
        return customers

    return compiled_keyset_batches(
        rows, batch_size=batch_size, prepare=with_customers, mysql_converters=converters
    )
