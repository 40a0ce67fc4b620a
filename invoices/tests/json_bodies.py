"""Reading the invoices face's JSON in tests as its clients would, exactly."""

import json
from decimal import Decimal


def parsed(response):
    """The JSON body of ``response`` (streamed or not), a number with a fraction
    read as a ``Decimal``: a test sees a number's type and every digit it has."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(content, parse_float=Decimal)


def number(value) -> str:
    """A JSON number's digits as written (``100.00``); a string, even of digits,
    fails."""
    assert isinstance(value, int | Decimal) and not isinstance(value, bool), repr(value)
    return str(value)
