"""What the admin's index shows first, per currency: the balance still owed on
issued invoices, what of it is overdue, the payments received today and the
refunds given back today (in the site's time zone). Three queries whatever the
size of the ledger; amounts are summed in Python as Decimals (SQLite would sum
them as floats)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from invoices.models import Invoice

from .models import Payment, Refund


@dataclass
class CurrencyFigures:
    currency: str
    open_count: int = 0
    open_balance: Decimal = Decimal("0")
    overdue_count: int = 0
    overdue_balance: Decimal = Decimal("0")
    payments_count: int = 0
    payments_total: Decimal = Decimal("0")
    refunds_count: int = 0
    refunds_total: Decimal = Decimal("0")


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The start of ``day`` and of the next, in the current time zone."""
    return tuple(
        timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))
        for date in (day, day + datetime.timedelta(days=1))
    )


def ledger_figures(
    *, today: datetime.date, invoices: bool = True, payments: bool = True, refunds: bool = True
) -> list[CurrencyFigures]:
    """The figures per currency, sorted by code; ``invoices``/``payments``/``refunds``
    False leaves those out (and their query) for a user who may not see them."""
    figures: dict[str, CurrencyFigures] = defaultdict(lambda: CurrencyFigures(""))
    if invoices:
        rows = Invoice.objects.unpaid().order_by()
        for currency, total, amount_paid, amount_credited, due_date in rows.values_list(
            "currency", "total", "amount_paid", "amount_credited", "due_date"
        ):
            row = figures[currency]
            balance = total - amount_paid - amount_credited
            row.open_count += 1
            row.open_balance += balance
            if due_date is not None and due_date < today:
                row.overdue_count += 1
                row.overdue_balance += balance
    if payments:
        start, end = day_bounds(today)
        rows = Payment.objects.filter(paid_at__gte=start, paid_at__lt=end).order_by()
        for currency, amount in rows.values_list("currency", "amount"):
            row = figures[currency]
            row.payments_count += 1
            row.payments_total += amount
    if refunds:
        start, end = day_bounds(today)
        rows = Refund.objects.filter(refunded_at__gte=start, refunded_at__lt=end).order_by()
        for currency, amount in rows.values_list("currency", "amount"):
            row = figures[currency]
            row.refunds_count += 1
            row.refunds_total += amount
    for currency, row in figures.items():
        row.currency = currency
    return [figures[currency] for currency in sorted(figures)]
