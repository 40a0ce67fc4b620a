"""Reads of the bills app shared by its API and its pages."""

from django.db.models import Prefetch

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
        Bill.objects.select_related("invoice__customer", "collection").prefetch_related(
            PRODUCTS, "invoice__payments", "invoice__lines"
        ),
        "bill_no",
        bill_no,
    )


def bill_exists(bill_no: str) -> bool:
    return exactly(Bill.objects.only("bill_no"), "bill_no", bill_no) is not None
