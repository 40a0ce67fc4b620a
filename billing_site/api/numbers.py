"""Money as JSON numbers, written from the ``Decimal`` and never through ``float``.

Documents 001, 003 and 004 show amounts as JSON numbers (``"amount": 1500.00``).
Python's ``json`` writes a ``Decimal`` only by way of ``float``, which loses
digits past the 15th and the currency's places (``1500.0``). simplejson's C
encoder writes each ``Decimal`` as the raw JSON its ``default`` gives (``RawJSON``):
its digits, never an exponent. Its own ``use_decimal`` is faster but writes
``str(decimal)``, an exponent for some values (``1E+2``, ``0E-7``), and refuses
a non-finite ``Decimal`` only along with non-finite floats (``allow_nan``).
Requests are read exactly already (``parsers``: a JSON number arrives as a
``Decimal``)."""

from decimal import Decimal

import simplejson
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from billing_site.money import quantize

# Dates, UUIDs, lazy strings, QuerySets, ...: written as DRF's encoder writes them.
_drf_default = JSONEncoder().default


def _exact_default(obj):
    if isinstance(obj, Decimal):
        if not obj.is_finite():
            raise ValueError(f"{obj} is not a JSON number")
        return simplejson.RawJSON(f"{obj:f}")
    return _drf_default(obj)


def dumps(data, **kwargs) -> str:
    """``json.dumps`` of ``data`` with every ``Decimal`` a JSON number of exactly
    its digits (``Decimal("1500.00")`` -> ``1500.00``), everything else as
    ``json.dumps`` with DRF's encoder writes it."""
    return simplejson.dumps(
        data,
        default=_exact_default,
        # What simplejson does differently from json by default, set back.
        use_decimal=False,
        allow_nan=True,
        namedtuple_as_object=False,
        **kwargs,
    )


class NumberJSONRenderer(JSONRenderer):
    """DRF's JSON renderer writing a ``Decimal`` as an exact JSON number."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return dumps(data, ensure_ascii=self.ensure_ascii, separators=(",", ":")).encode()


class MoneyNumberField(serializers.DecimalField):
    """An amount written as a JSON number with its currency's places
    (``1500.00`` USD, ``50000.000`` IQD), the currency read from the object's
    ``currency_source`` attribute or key, or a dotted path of them
    (``"invoice.currency"`` for a line). Render with ``NumberJSONRenderer``."""

    def __init__(self, *, currency_source: str = "currency", **kwargs):
        kwargs.setdefault("max_digits", 19)
        kwargs.setdefault("decimal_places", 4)
        kwargs["coerce_to_string"] = False
        super().__init__(**kwargs)
        self.currency_source = currency_source

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        currency = instance
        for part in self.currency_source.split("."):
            if isinstance(currency, dict):
                currency = currency.get(part)
            else:
                currency = getattr(currency, part, None)
        return value, currency

    def to_representation(self, value):
        amount, currency = value
        if amount is None:
            return None
        amount = Decimal(amount)
        return quantize(amount, currency) if currency else amount


class NumberField(serializers.DecimalField):
    """A decimal quantity written as a JSON number with its stored digits
    (``10.000``), never through ``float``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 19)
        kwargs.setdefault("decimal_places", 4)
        kwargs["coerce_to_string"] = False
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value is None else Decimal(value)
