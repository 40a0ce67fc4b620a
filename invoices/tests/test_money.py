from decimal import Decimal

import pytest

from billing_site.money import (
    MoneyError,
    currency_exponent,
    format_amount,
    format_min_places,
    from_minor,
    parse_amount,
    quantize,
    to_minor,
)
from invoices.services import LineInput, line_amounts


@pytest.mark.parametrize(
    "currency,exponent", [("USD", 2), ("JPY", 0), ("IQD", 3), ("KWD", 3), ("CLF", 4), ("EUR", 2)]
)
def test_iso_4217_exponents(currency, exponent):
    assert currency_exponent(currency) == exponent


def test_quantize_rounds_half_up_per_currency():
    assert quantize(Decimal("0.125"), "USD") == Decimal("0.13")
    assert quantize(Decimal("0.124"), "USD") == Decimal("0.12")
    assert quantize(Decimal("2.5"), "JPY") == Decimal("3")
    assert quantize(Decimal("1.0005"), "IQD") == Decimal("1.001")
    assert format_amount(Decimal("50000"), "IQD") == "50000.000"


@pytest.mark.parametrize(
    "value,expected", [("10.50", "10.50"), (10, "10.00"), (Decimal("0.1"), "0.10"), (" 7 ", "7.00")]
)
def test_parse_amount_accepts_strings_integers_and_decimals(value, expected):
    assert parse_amount(value, "USD") == Decimal(expected)


@pytest.mark.parametrize(
    "value,currency",
    [
        (1.5, "USD"),
        (True, "USD"),
        ("-1", "USD"),
        ("1.001", "USD"),
        ("1.5", "JPY"),
        ("abc", "USD"),
        ("NaN", "USD"),
        ("Infinity", "USD"),
        (None, "USD"),
        ([1], "USD"),
        ("1", "XYZ"),
    ],
)
def test_parse_amount_refuses_floats_negatives_over_precision_and_unknown_currency(value, currency):
    with pytest.raises(MoneyError):
        parse_amount(value, currency)


def test_line_amounts_round_each_step_to_the_currency():
    line = LineInput(
        description="x", quantity=Decimal("3"), unit_price=Decimal("0.335"), tax_rate=Decimal("7.5")
    )
    assert line_amounts(line, "USD") == (Decimal("1.01"), Decimal("0.08"), Decimal("1.09"))


@pytest.mark.parametrize(
    "amount,text",
    [
        ("50000.0000", "50000.00"),
        ("0", "0.00"),
        ("12.5", "12.50"),
        ("1.234", "1.234"),
        ("7", "7.00"),
    ],
)
def test_gateway_amounts_have_at_least_two_places(amount, text):
    assert format_min_places(Decimal(amount)) == text


@pytest.mark.parametrize(
    "amount,currency,minor",
    [("12.34", "USD", 1234), ("5", "JPY", 5), ("1.005", "IQD", 1005), ("0", "EUR", 0)],
)
def test_minor_units_round_trip(amount, currency, minor):
    assert to_minor(Decimal(amount), currency) == minor
    assert from_minor(minor, currency) == Decimal(amount)
