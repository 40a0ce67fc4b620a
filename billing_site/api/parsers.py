"""A JSON parser that reads numbers with a fraction as ``Decimal``, so money
sent as a JSON number never passes through ``float``; that refuses text no
database can store (lone surrogates) and card numbers in free text."""

import codecs
import functools
import json
import re
from decimal import Decimal

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from billing_site.cards import find_card_number, may_hold_card_number


def _reject_constant(name):
    raise ValueError(f"{name} is not a valid JSON value")


# One decoder for every body: json.load() with these options builds a new one each time.
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_reject_constant)
_SURROGATE = re.compile("[\ud800-\udfff]")
# Keys whose values are identifiers: a long number there is a reference, not a card
# (as long as it is written plain, without the groups a card is written in).
_IDENTIFIER_KEY = re.compile(r"(?:id|_no|number|mobile|phone)$", re.IGNORECASE)
CARD_NUMBER_REFUSED = (
    "looks like a card number: card numbers are never accepted; send only the brand, "
    "the last four digits and the expiry."
)


def _strings(data, path=()):
    """Every (key path, text) in parsed JSON: object keys and string values."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for name, value in data.items():
            yield path, name
            yield from _strings(value, (*path, name))
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item, path)


def _error_at(path: tuple, message: str) -> dict:
    """An error body shaped like a serializer's: nested under the value's keys."""
    error: dict | list = [message]
    for name in reversed(path or ("detail",)):
        error = {name: error}
    return error


# Charsets a body may declare: the Unicode encodings, ASCII and the single-byte
# Latin ones. Others (UTF-7, "unicode_escape", "hex") can spell text no database
# stores, or are no text encoding at all.
_TEXT_CHARSET = re.compile(
    r"utf-8|utf-16(-[lb]e)?|utf-32(-[lb]e)?|ascii|iso8859-\d+|cp125\d|latin-1"
)


@functools.lru_cache(maxsize=64)
def text_charset(name: str | None) -> str | None:
    """The codec a declared charset names, when it is one bodies may use; None otherwise."""
    try:
        codec = codecs.lookup(name or "utf-8").name
    except LookupError:
        return None
    return codec if _TEXT_CHARSET.fullmatch(codec) else None


def check_text(data, text: str):
    """Refuse what a client may not store: text that is not valid Unicode (a lone
    surrogate, which only a JSON escape can carry) and card numbers anywhere in
    free text. Both looks are skipped when the raw text cannot hold them: in the
    charsets accepted, only a JSON escape spells a surrogate, and a card number
    needs a run of digits or escapes."""
    escaped = "\\u" in text
    if escaped:
        for _, value in _strings(data):
            if _SURROGATE.search(value):
                raise ParseError(
                    "JSON parse error - a lone surrogate (\\ud800-\\udfff) is not text"
                )
    if escaped or may_hold_card_number(text):
        for path, value in _strings(data):
            card = find_card_number(value)
            key = str(path[-1]) if path else ""
            if card and not (card.isdigit() and _IDENTIFIER_KEY.search(key)):
                raise ValidationError(_error_at(path, CARD_NUMBER_REFUSED))
    return data


class DecimalJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = text_charset(parser_context.get("encoding", settings.DEFAULT_CHARSET))
        if encoding is None:
            raise ParseError(
                "JSON parse error - the declared charset is not one of UTF-8/16/32, ASCII or Latin"
            )
        try:
            text = stream.read().decode(encoding)
            data = _DECODER.decode(text)
        # UnicodeDecodeError is a ValueError; a charset that is not a text
        # encoding ("hex", "base64") raises LookupError.
        except (ValueError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None
        return check_text(data, text)


class AnyTypeJSONParser(DecimalJSONParser):
    """Reads the body as JSON whatever Content-Type the client declared. For the
    legacy faces (``/login``, the gateway), whose clients do not always send
    ``application/json``: a body that is not JSON is then a 400, not a 415."""

    media_type = "*/*"
