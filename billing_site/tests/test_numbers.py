"""Money written as exact JSON numbers (``billing_site.api.numbers``)."""

import json
from decimal import Decimal

import pytest
from rest_framework import serializers

from billing_site.api.numbers import MoneyNumberField, NumberField, NumberJSONRenderer, dumps


def test_a_decimal_is_written_with_exactly_its_digits():
    text = dumps({"a": Decimal("1500.00"), "b": [Decimal("-0.10"), Decimal("12345678901234.56")]})
    assert text == '{"a": 1500.00, "b": [-0.10, 12345678901234.56]}'
    assert json.loads(text, parse_float=Decimal)["b"][1] == Decimal("12345678901234.56")


def test_a_string_a_client_sent_stays_a_string():
    value = '"deadbeef1500"'
    assert json.loads(dumps({"note": value, "amount": Decimal("1")})) == {
        "note": value,
        "amount": 1,
    }


def test_a_non_finite_decimal_is_refused():
    with pytest.raises(ValueError):
        dumps(Decimal("NaN"))


class Line(serializers.Serializer):
    amount = MoneyNumberField()
    quantity = NumberField()


@pytest.mark.parametrize(
    "currency, amount, written",
    [("USD", "1500", b"1500.00"), ("IQD", "50000", b"50000.000"), ("JPY", "12", b"12")],
)
def test_money_takes_its_currency_places(currency, amount, written):
    data = Line({"amount": Decimal(amount), "currency": currency, "quantity": Decimal("10.0")}).data
    body = NumberJSONRenderer().render(data)
    assert body == b'{"amount":' + written + b',"quantity":10.0}'


class Price(serializers.Serializer):
    price = MoneyNumberField(currency_source="invoice.currency")


def test_the_currency_may_be_the_parents():
    class Invoice:
        currency = "IQD"

    class Line:
        price = Decimal("5")
        invoice = Invoice()

    assert NumberJSONRenderer().render(Price(Line()).data) == b'{"price":5.000}'
    assert (
        str(Price({"price": Decimal("5.00"), "invoice": {"currency": "JPY"}}).data["price"]) == "5"
    )
