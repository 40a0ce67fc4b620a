"""Masking of secrets in logged request and response bodies."""

import json
import re
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode

MASK = "********"

# Keys whose values are never stored: passwords, tokens, credentials, card data.
SECRET_KEY_PATTERN = re.compile(
    r"pass|secret|token(?!_?type)|^access$|^refresh$|authori[sz]ation|api[-_]?key|signature|"
    r"card[-_]?(number|no)|^pan$|cvv|cvc|security[-_]?code",
    re.IGNORECASE,
)
# Runs of 13 to 19 digits, optionally grouped by spaces or dashes: card number candidates.
_CARD_CANDIDATE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def mask_card_numbers(text: str) -> str:
    def replace(match):
        digits = re.sub(r"[ -]", "", match.group())
        return MASK if _luhn_valid(digits) else match.group()

    return _CARD_CANDIDATE.sub(replace, text)


def mask_data(value):
    """``value`` (parsed JSON) with every secret-looking key's value masked."""
    if isinstance(value, dict):
        return {
            key: MASK if SECRET_KEY_PATTERN.search(str(key)) else mask_data(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_data(item) for item in value]
    return value


def _mask_json(text: str) -> str:
    try:
        parsed = json.loads(text, parse_float=Decimal)
    except ValueError:
        return text
    masked = mask_data(parsed)
    # Re-serialize only when something was masked, so other bodies stay verbatim.
    return text if masked == parsed else json.dumps(masked, ensure_ascii=False, default=str)


def mask_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    masked = [(key, MASK if SECRET_KEY_PATTERN.search(key) else value) for key, value in pairs]
    return urlencode(masked, safe="[]")


def mask_text(text: str, content_type: str) -> str:
    """A body's text with its secrets masked, whether JSON, a form or plain text."""
    if "json" in content_type:
        text = _mask_json(text)
    elif "x-www-form-urlencoded" in content_type:
        text = mask_query(text)
    return mask_card_numbers(text)
