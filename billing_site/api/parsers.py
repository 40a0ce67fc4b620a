"""A JSON parser that reads numbers with a fraction as ``Decimal``, so money
sent as a JSON number never passes through ``float``."""

import json
from decimal import Decimal

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _reject_constant(name):
    raise ValueError(f"{name} is not a valid JSON value")


# One decoder for every body: json.load() with these options builds a new one each time.
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_reject_constant)


class DecimalJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            return _DECODER.decode(stream.read().decode(encoding))
        # UnicodeDecodeError is a ValueError; a charset that is not a text
        # encoding ("hex", "base64") raises LookupError.
        except (ValueError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None


class AnyTypeJSONParser(DecimalJSONParser):
    """Reads the body as JSON whatever Content-Type the client declared. For the
    legacy faces (``/login``, the gateway), whose clients do not always send
    ``application/json``: a body that is not JSON is then a 400, not a 415."""

    media_type = "*/*"
