"""Numbers, dates and labels as the documents print them: in the locale of
``BILLING_LOCALE`` (a Babel locale name, ``en_US`` by default) and the time zone
of ``BILLING_DOCUMENT_TIME_ZONE`` (``TIME_ZONE`` by default).

Amounts keep their currency's ISO 4217 places (``billing_site.money``), not
CLDR's (which gives IQD none): ``1,234.50`` USD, ``1,234.500`` IQD, ``1,235`` JPY."""

import copy
import datetime
import re
import zoneinfo
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import NumberPattern, format_decimal, format_percent
from django.conf import settings

from billing_site.money import currency_exponent, quantize

_OFFSET = re.compile(r"[+-]\d{4}")


def _spaces(text: str) -> str:
    """CLDR's narrow no-break space (``12:30 PM``, ``1 234,50`` in French) as
    a no-break space, which every document font has."""
    return text.replace("\N{NARROW NO-BREAK SPACE}", "\N{NO-BREAK SPACE}")


@cache
def _locale(name: str) -> Locale:
    return Locale.parse(name)


def locale() -> Locale:
    return _locale(settings.BILLING_LOCALE)


def time_zone() -> zoneinfo.ZoneInfo:
    name = settings.BILLING_DOCUMENT_TIME_ZONE or settings.TIME_ZONE
    return zoneinfo.ZoneInfo(name)


@cache
def _amount_pattern(locale_name: str, places: int) -> NumberPattern:
    """The locale's decimal pattern (its grouping) with exactly ``places`` decimals."""
    pattern = copy.copy(_locale(locale_name).decimal_formats[None])
    pattern.frac_prec = (places, places)
    return pattern


def amount(value: Decimal, currency: str) -> str:
    """``value`` rounded to the currency's places, grouped as the locale groups."""
    current = locale()
    pattern = _amount_pattern(str(current), currency_exponent(currency))
    return _spaces(pattern.apply(quantize(value, currency), current))


def money(value: Decimal, currency: str) -> str:
    """An amount with its currency code, as the bill pages write it: ``1,234.50 USD``."""
    return f"{amount(value, currency)}\N{NO-BREAK SPACE}{currency}"


def quantity(value: Decimal) -> str:
    """A quantity without trailing zeros: ``120``, ``1.5``, ``1,000``."""
    return _spaces(format_decimal(value.normalize(), locale=locale(), decimal_quantization=False))


def percent(rate: Decimal) -> str:
    """A rate given in percent (``Decimal("7.5")``) as the locale writes it: ``7.5%``."""
    return _spaces(format_percent(rate / 100, locale=locale(), decimal_quantization=False))


def date(value: datetime.date | None) -> str:
    return _spaces(format_date(value, "medium", locale=locale())) if value else ""


def date_time(value: datetime.datetime | None) -> str:
    """A moment in the documents' time zone, the zone written: ``Jan 15, 2026, 12:30 PM UTC``."""
    if value is None:
        return ""
    current, zone = locale(), time_zone()
    local = value.astimezone(zone)
    time = current.time_formats["short"].pattern
    name = format_time(local, "z", zone, current)
    # A zone the locale has no short name for comes as "+0300": "GMT+03:00" reads better.
    if _OFFSET.fullmatch(name):
        name = format_time(local, "ZZZZ", zone, current)
    moment = f"{format_time(local, time, zone, current)} {name}"
    return _spaces(current.datetime_formats["medium"].format(moment, date(local.date())))


def period(start: datetime.date | None, end: datetime.date | None) -> str:
    if start and end:
        return f"{date(start)} \N{EN DASH} {date(end)}"
    if start:
        return f"from {date(start)}"
    return f"until {date(end)}" if end else ""


def label(code: str, choices) -> str:
    """A status or method as people read it: the choice's label when one was
    written; for a label Django made from the code (``Bank Transfer``) or a code
    with no choice (``partially_paid``), the code in words: ``Bank transfer``."""
    words = code.replace("_", " ")
    written = dict(choices).get(code)
    if written is None or written == words.title():
        return words.capitalize()
    return str(written)
