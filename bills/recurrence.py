"""The calendar of a recurring bill's series. A series is anchored on its master's
issue date; its n-th bill falls n intervals later, counted from the anchor (not
from the bill before), so a series anchored on 31 January bills on 28 (or 29)
February and then on 31 March, never drifting to the 28th."""

import calendar
import datetime

from .models import Bill

R = Bill.Recurring
DAYS = {R.DAILY: 1, R.WEEKLY: 7}
MONTHS = {R.MONTHLY: 1, R.QUARTERLY: 3, R.YEARLY: 12}
NAMES = {choice.label: choice.value for choice in R}


def add_months(date: datetime.date, months: int) -> datetime.date:
    """``date`` moved by whole months, on the same day or the month's last."""
    month_index = date.year * 12 + date.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    return date.replace(
        year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1])
    )


def _months_between(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def next_date(anchor: datetime.date, recurring: int, after: datetime.date) -> datetime.date:
    """The first date of the series anchored on ``anchor`` that is after ``after``."""
    if recurring in DAYS:
        step = DAYS[recurring]
        steps = max(0, (after - anchor).days // step) + 1
        return anchor + datetime.timedelta(days=steps * step)
    step = MONTHS[recurring]
    steps = max(0, _months_between(anchor, after) // step)
    candidate = add_months(anchor, steps * step)
    while candidate <= after:
        steps += 1
        candidate = add_months(anchor, steps * step)
    return candidate


def shifted(
    date: datetime.date | None, recurring: int, anchor: datetime.date, period: datetime.date
) -> datetime.date | None:
    """``date`` (a master's due date) moved as far as ``period`` is from
    ``anchor``: by days for daily and weekly series, by months for the others,
    so a bill due on the 25th stays due on the 25th."""
    if date is None:
        return None
    if recurring in DAYS:
        return date + (period - anchor)
    return add_months(date, _months_between(anchor, period))
