"""Reads of the bills app shared by its API and its pages."""

from django.db.models import Prefetch

from invoices.models import Invoice

from . import recurrence
from .models import Bill, ProductCollection

# A bill's products joined to their lines: a separate query for the products would
# name each one in its WHERE, past what SQLite takes for a bill of many products.
PRODUCTS = Prefetch(
    "product_collections", queryset=ProductCollection.objects.select_related("product")
)


def exactly(queryset, field: str, value: str):
    """The row of ``queryset`` whose ``field`` is ``value`` exactly, or None.
    MariaDB's collations compare text regardless of case and trailing spaces
    (and NULs), so "w7UPLQIU " would otherwise name bill W7uplQiU; its unique
    index lets at most one row match that loosely, so checking that one will do."""
    row = queryset.filter(**{field: value}).first()
    return row if row is not None and getattr(row, field) == value else None


def bill_for_page(bill_no: str) -> Bill | None:
    """A bill for its public page: whoever has the bill number may see it."""
    return exactly(
        Bill.objects.select_related(
            "invoice__customer", "invoice__frozen_customer", "collection"
        ).prefetch_related(PRODUCTS, "invoice__payments", "invoice__lines"),
        "bill_no",
        bill_no,
    )


def bill_exists(bill_no: str) -> bool:
    return exactly(Bill.objects.only("bill_no"), "bill_no", bill_no) is not None


def recurring_plan(*, today) -> list[tuple[Bill, list]]:
    """What a run on ``today`` would issue: each due master (its invoice and
    collection read with it) and the dates of the periods it would bill."""
    plan = []
    masters = (
        Bill.objects.recurring_due(today)
        .filter(recurring_stopped_at__isnull=True)
        .exclude(invoice__status=Invoice.Status.VOID)
        .select_related("invoice", "collection")
        .order_by("rbill_date", "id")
    )
    for master in masters:
        dates, period = [], master.rbill_date
        end = master.recurring_end_date
        while period <= today and (end is None or period <= end):
            dates.append(period)
            period = recurrence.next_date(master.invoice.issue_date, master.recurring, period)
        if dates:
            plan.append((master, dates))
    return plan
