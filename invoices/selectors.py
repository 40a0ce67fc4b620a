"""Reads of invoices and customers."""

import datetime
from collections.abc import Iterator

from billing_site.api.batches import keyset_batches, keyset_rows

from .models import Customer, Invoice, sees_every_customer


def restricted_to_customers(user) -> bool:
    """Whether ``user`` sees only the customers it is linked to (perhaps none)."""
    return not sees_every_customer(user)


def customer_list(*, user):
    return Customer.objects.visible_to(user).order_by("name", "id")


def customer_get(*, user, pk: int) -> Customer | None:
    return customer_list(user=user).filter(pk=pk).first()


def invoice_list(*, user):
    """Invoices ``user`` may see, with what the invoice body shows: the customer,
    the lines and the payments (the payments app's reverse relation)."""
    return (
        Invoice.objects.visible_to(user)
        .select_related("customer")
        .prefetch_related("lines", "payments")
        .order_by("-id")
    )


def invoice_get(*, user, pk: int) -> Invoice | None:
    return invoice_list(user=user).filter(pk=pk).first()


def rows_with_customers(
    queryset, fields: tuple[str, ...], customer_fields: tuple[str, ...], batch_size: int = 2000
) -> Iterator[tuple[dict, dict]]:
    """``(invoice row, customer row)`` for every invoice of ``queryset``, by
    ascending id, read in keyset batches so memory stays flat however many there
    are (the MySQL driver buffers a whole result set, so one big query would
    not). Each batch reads its customers in a second query rather than a join,
    which MariaDB would plan as a scan and sort of every invoice of a customer."""
    queryset = queryset.values("pk", "customer_id", *fields)
    for batch in keyset_batches(queryset, batch_size=batch_size):
        customers = Customer.objects.filter(pk__in={row["customer_id"] for row in batch})
        by_pk = {row["pk"]: row for row in customers.values("pk", *customer_fields)}
        for row in batch:
            yield row, by_pk[row["customer_id"]]


def isp_invoice_list(
    *,
    user,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    status: str = "all",
    customer_id: int | None = None,
):
    """Issued invoices ``user`` may see (the ISP face never shows drafts), by issue
    date (inclusive) and ``paid``/``unpaid``/``all``."""
    queryset = Invoice.objects.visible_to(user).exclude(status=Invoice.Status.DRAFT)
    if date_from:
        queryset = queryset.filter(issue_date__gte=date_from)
    if date_to:
        queryset = queryset.filter(issue_date__lte=date_to)
    if status == "paid":
        queryset = queryset.paid()
    elif status == "unpaid":
        queryset = queryset.unpaid()
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    return queryset


def isp_invoice_get(*, user, pk: int) -> Invoice | None:
    """One issued invoice with what its details show: customer and lines."""
    return (
        isp_invoice_list(user=user)
        .filter(pk=pk)
        .select_related("customer")
        .prefetch_related("lines")
        .first()
    )


def ids_in_batches(queryset, batch_size: int = 10_000) -> Iterator[int]:
    """Every id of ``queryset`` ascending, read in keyset batches."""
    return keyset_rows(queryset.values_list("pk", flat=True), batch_size=batch_size)
