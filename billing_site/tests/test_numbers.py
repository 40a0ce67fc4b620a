"""Money written as exact JSON numbers (``billing_site.api.numbers``)."""

import collections
import datetime
import ipaddress
import json
import re
import secrets
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder

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


class _MarkedDecimalEncoder(JSONEncoder):
    def __init__(self, *args, token: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.token = token

    def default(self, obj):
        if isinstance(obj, Decimal):
            if not obj.is_finite():
                raise ValueError(f"{obj} is not a JSON number")
            return f"{self.token}{obj:f}"
        return super().default(obj)


def stdlib_dumps(data, **kwargs) -> str:
    """How ``dumps`` wrote before simplejson: the stdlib C encoder writing each
    ``Decimal`` as a token-marked string, the marked strings then made numbers.
    The reference the simplejson writer must match byte for byte."""
    token = secrets.token_hex(8)
    text = json.dumps(data, cls=_MarkedDecimalEncoder, token=token, **kwargs)
    return re.sub(f'"{token}(-?[0-9]+(?:\\.[0-9]+)?)"', r"\1", text)


class Money(serializers.Serializer):
    amount = MoneyNumberField()
    currency = serializers.CharField()
    quantity = NumberField(max_digits=12, decimal_places=3)


class WithToList:
    def tolist(self):
        return [Decimal("1.10"), 2]


Pair = collections.namedtuple("Pair", "left right")
UTC = datetime.UTC
PLUS_THREE = datetime.timezone(datetime.timedelta(hours=3))
DECIMALS = [
    # Money at its currency's places, as MoneyNumberField writes it.
    *("1500.00 50000.000 12 0.00 -0.00 -12.34 0.10 7.5000".split()),
    # Big, negative, zero, and those str() would write with an exponent.
    *("123456789012345678901234567890.1234 -9999999999999.99 0 -0 1E+2 -1.5E+3".split()),
    *("0E-7 1E-7 -2.5E-10 0E+3 0.000001 0.0000001".split()),
]


def corpus():
    """Everything the faces render, and what DRF's encoder handles besides; built
    afresh for each writer (a generator is read once)."""
    money = [
        Money({"amount": Decimal(amount), "currency": currency, "quantity": Decimal("2.5")}).data
        for amount in ("1500", "0.005", "-42.4449", "9999999999.9999")
        for currency in ("USD", "JPY", "IQD", "KWD", "CLF", "EUR")
    ]
    return {
        "zeta": 1,
        "alpha": 2,
        "10": 3,
        "2": 4,
        "decimals": [Decimal(text) for text in DECIMALS],
        "computed": [Decimal(100) / Decimal("0.01"), Decimal("1.10") * 3, Decimal("1") / 8],
        "money": money,
        "nested": {
            "lines": [{"amount": Decimal("5.000"), "tags": [[Decimal("-0.01")], {}]}],
            "e": [],
        },
        "dates": [
            datetime.datetime(2026, 11, 21, 9, 30, 0, 123456, tzinfo=UTC),
            datetime.datetime(2026, 11, 21, 9, 30, tzinfo=PLUS_THREE),
            datetime.datetime(2026, 11, 21, 9, 30),
            datetime.date(2026, 2, 28),
            datetime.time(23, 59, 1),
            datetime.timedelta(days=1, seconds=5),
        ],
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "lazy": gettext_lazy("Paid"),
        "queryset": User.objects.none(),
        "generator": (item for item in [1, Decimal("2.50")]),
        "bytes": b"abc",
        "tolist": WithToList(),
        "mapping": collections.UserDict({"b": Decimal("1.0"), "a": 1}),
        "iterable": frozenset({Decimal("4.40")}),
        "address": ipaddress.ip_address("192.0.2.1"),
        "tuple": (Decimal("1.00"), "x"),
        "namedtuple": Pair(Decimal("1.00"), None),
        "strings": [
            "INV-000123",
            "1500.00",
            '"1500.00"',
            'he said "12" \\ "-0.10"',
            "deadbeef1500",
            "1E+2",
            "\u00e9 \u4e2d \U0001f600 \u2028\u2029 \x00\x1f\x7f </script>",
        ],
        "\u540d\u524d": "\u5024",
        "keys": {1: "int", 2.5: "float", None: "none", False: "bool"},
        "scalars": [2**70, -3, True, False, None, ""],
        "floats": [0.1, 1e100, -0.0, 1e-7, 1.5, float("nan"), float("inf")],
    }


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"ensure_ascii": False},
        {"separators": (",", ":")},
        {"ensure_ascii": False, "separators": (",", ":")},
    ],
)
def test_dumps_writes_what_the_stdlib_writer_wrote(options):
    assert dumps(corpus(), **options) == stdlib_dumps(corpus(), **options)


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_the_renderer_writes_what_the_stdlib_writer_wrote(ensure_ascii):
    renderer = NumberJSONRenderer()
    renderer.ensure_ascii = ensure_ascii
    expected = stdlib_dumps(corpus(), ensure_ascii=ensure_ascii, separators=(",", ":"))
    assert renderer.render(corpus()) == expected.encode()


@pytest.mark.parametrize(
    "value, written",
    [
        ("1E+2", "100"),
        ("-1.5E+3", "-1500"),
        ("0E+3", "0"),
        ("0E-7", "0.0000000"),
        ("1E-7", "0.0000001"),
        ("-0", "-0"),
        ("-0.00", "-0.00"),
    ],
)
def test_a_decimal_is_never_written_with_an_exponent(value, written):
    assert dumps([Decimal(value)]) == f"[{written}]"


@pytest.mark.parametrize("value", ["NaN", "-NaN", "sNaN", "Infinity", "-Infinity"])
def test_a_non_finite_decimal_is_refused_wherever_it_is(value):
    with pytest.raises(ValueError):
        dumps({"lines": [{"amount": Decimal(value)}]}, separators=(",", ":"))


def test_what_no_encoder_writes_is_refused_as_before():
    aware_time = datetime.time(9, 30, tzinfo=UTC)
    with pytest.raises(ValueError):
        dumps([aware_time])
    with pytest.raises(TypeError):
        dumps([object()])
