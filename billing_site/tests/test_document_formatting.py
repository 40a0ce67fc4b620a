"""Numbers, dates and labels as the documents print them (``documents.formatting``)."""

import datetime
from decimal import Decimal

import pytest

from billing_site.documents import formatting

MOMENT = datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "value,currency,expected",
    [
        ("1234.5", "USD", "1,234.50"),
        ("1234567.5", "IQD", "1,234,567.500"),
        ("1234.5", "JPY", "1,235"),  # half up, no places
        ("0", "USD", "0.00"),
        ("9999999999999.99", "USD", "9,999,999,999,999.99"),
    ],
)
def test_amounts_have_their_currencys_places_and_the_locales_grouping(value, currency, expected):
    assert formatting.amount(Decimal(value), currency) == expected


def test_the_locale_setting_groups_and_marks_decimals(settings):
    settings.BILLING_LOCALE = "de_DE"
    assert formatting.amount(Decimal("1234.5"), "USD") == "1.234,50"
    assert formatting.quantity(Decimal("1.500")) == "1,5"
    assert formatting.date(datetime.date(2026, 1, 15)) == "15.01.2026"


def test_french_groups_with_a_space_every_font_has(settings):
    settings.BILLING_LOCALE = "fr_FR"
    assert formatting.amount(Decimal("1234.5"), "EUR") == "1\N{NO-BREAK SPACE}234,50"


def test_money_names_the_currency():
    assert formatting.money(Decimal("105"), "MYR") == "105.00\N{NO-BREAK SPACE}MYR"


@pytest.mark.parametrize(
    "value,expected",
    [("120.000", "120"), ("1.500", "1.5"), ("0.125", "0.125"), ("1000", "1,000"), ("1E+2", "100")],
)
def test_quantities_have_no_trailing_zeros(value, expected):
    assert formatting.quantity(Decimal(value)) == expected


@pytest.mark.parametrize(
    "rate,expected", [("10.0000", "10%"), ("7.5", "7.5%"), ("0", "0%"), ("0.25", "0.25%")]
)
def test_tax_rates_are_percent(rate, expected):
    assert formatting.percent(Decimal(rate)) == expected


@pytest.mark.parametrize(
    "zone,expected",
    [
        ("UTC", "Jan 15, 2026, 9:30\N{NO-BREAK SPACE}AM UTC"),
        ("Asia/Baghdad", "Jan 15, 2026, 12:30\N{NO-BREAK SPACE}PM GMT+03:00"),
        ("America/New_York", "Jan 15, 2026, 4:30\N{NO-BREAK SPACE}AM EST"),
    ],
)
def test_moments_are_written_with_their_zone(settings, zone, expected):
    settings.BILLING_DOCUMENT_TIME_ZONE = zone
    assert formatting.date_time(MOMENT) == expected


def test_the_document_zone_defaults_to_time_zone(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    settings.BILLING_DOCUMENT_TIME_ZONE = ""
    assert formatting.date_time(MOMENT).endswith("6:30\N{NO-BREAK SPACE}PM GMT+09:00")


def test_periods():
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 1, 31)
    assert formatting.period(start, end) == "Jan 1, 2026 \N{EN DASH} Jan 31, 2026"
    assert formatting.period(start, None) == "from Jan 1, 2026"
    assert formatting.period(None, None) == ""


def test_labels_are_words_people_read():
    choices = [("open", "Open"), ("bank_transfer", "Bank Transfer"), ("sepa", "SEPA debit")]
    assert formatting.label("bank_transfer", choices) == "Bank transfer"  # Django's own label
    assert formatting.label("partially_paid", choices) == "Partially paid"  # no choice
    assert formatting.label("open", choices) == "Open"
    assert formatting.label("sepa", choices) == "SEPA debit"  # a written label stays
