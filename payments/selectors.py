"""Reads of payments."""

from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Count, QuerySet, Sum

from invoices.models import visible_customers

from .models import Payment, Refund


def payment_get(*, user, pk: int) -> Payment | None:
    """The payment, with its invoice, if ``user`` may see its invoice."""
    payments = Payment.objects.select_related("invoice")
    if not user.is_staff:
        payments = payments.filter(visible_customers(user, "invoice__customer_id"))
    return payments.filter(pk=pk).first()


def payment_totals() -> dict[str, tuple[int, Decimal]]:
    """Every payment ever recorded, per currency: how many and their amount."""
    return _totals_by_currency(Payment.objects.all())


def refund_totals() -> dict[str, tuple[int, Decimal]]:
    """Every refund ever given, per currency: how many and their amount."""
    return _totals_by_currency(Refund.objects.all())


def _totals_by_currency(rows: QuerySet) -> dict[str, tuple[int, Decimal]]:
    """(count, summed ``amount``) per ``currency`` of ``rows``, in one query. The
    database sums the decimals, but not SQLite, which would sum them as floats:
    there it counts the rows of each amount, and the amounts are summed here."""
    rows = rows.order_by()
    if connection.vendor != "sqlite":
        summed = rows.values("currency").annotate(count=Count("id"), total=Sum("amount"))
        return {row["currency"]: (row["count"], row["total"]) for row in summed}
    totals = defaultdict(lambda: (0, Decimal(0)))
    counted = rows.values("currency", "amount").annotate(count=Count("id"))
    for row in counted:
        count, total = totals[row["currency"]]
        totals[row["currency"]] = (count + row["count"], total + row["amount"] * row["count"])
    return dict(totals)
