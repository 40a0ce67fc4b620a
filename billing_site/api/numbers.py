"""Money as JSON numbers, written from the ``Decimal`` and never through ``float``.

Documents 001, 003 and 004 show amounts as JSON numbers (``"amount": 1500.00``).
Python's ``json`` writes a ``Decimal`` only by way of ``float``, which loses
digits past the 15th and the currency's places (``1500.0``). So a ``Decimal``
is first written as a string carrying a token chosen afresh for each answer,
and the token's strings are then replaced by the bare digits: the C encoder
keeps its speed, and no string a client sent can pass for a number because no
client knows the token. Requests are read exactly already (``parsers``: a JSON
number arrives as a ``Decimal``)."""

import json
import re
import secrets
from decimal import Decimal

from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from billing_site.money import quantize


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


def dumps(data, **kwargs) -> str:
    """``json.dumps`` of ``data`` with every ``Decimal`` a JSON number of exactly
    its digits (``Decimal("1500.00")`` -> ``1500.00``)."""
    token = secrets.token_hex(8)
    text = json.dumps(data, cls=_MarkedDecimalEncoder, token=token, **kwargs)
    if token not in text:
        return text
    return re.sub(f'"{token}(-?[0-9]+(?:\\.[0-9]+)?)"', r"\1", text)


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
