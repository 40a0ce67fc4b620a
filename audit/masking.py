"""Masking of secrets in logged request and response bodies."""

import contextlib
import json
import re
from decimal import Decimal
from urllib.parse import parse_qsl, unquote_plus, urlencode

from billing_site import cards

MASK = "********"

# Keys whose values are never stored: passwords, tokens, credentials, card data.
_SENSITIVE_NAMES = (
    r"pass|secret|token(?!_?type)|authori[sz]ation|api[-_]?key|signature|"
    r"card[-_]?(?:number|no)|cvv|cvc|security[-_]?code"
)
SECRET_KEY_PATTERN = re.compile(rf"{_SENSITIVE_NAMES}|^access$|^refresh$|^pan$", re.IGNORECASE)
# Any key and its value in text ("key": "value", key=value): the safety net for
# bodies that are not (or no longer, once cut) parseable; ``_mask_pair`` masks the
# value when the key names a secret. A key starts where a word starts and is taken
# whole, never given back (possessive), so text is scanned once, not once per
# character, however long its words. A name may hold escapes (JSON's \u0070,
# a form's %70), undone before it is judged.
_PAIR = re.compile(
    r"""(?P<key>(?<![\w.%\\-])["']?(?P<name>[\w.%\\-]++)["']?\s*+[:=]\s*+)"""
    # An unquoted value may start with an authorization scheme: "Bearer <token>".
    r"""(?P<value>"(?:[^"\\]|\\.)*+"?|'[^']*+'?"""
    r"""|(?:(?i:bearer|basic|token|jwt|digest)[ \t]++)?[^\s&,;}\]]++)"""
)
_SECRET_NAME = re.compile(rf"{_SENSITIVE_NAMES}|access|refresh|^pan$", re.IGNORECASE)
# What every key that masking looks for contains (the patterns above), and the
# escapes (JSON's \u..., a form's %..) that could spell one: ASCII text holding
# none of them has nothing to mask but card numbers, and skips the parsing and
# the scan for pairs. Plain substring tests: one regex over all the names costs
# more than the rest of the masking. Keep in step with the patterns above.
_SECRET_WORDS = (
    *("pass", "secret", "token", "authori", "key", "signature", "card", "cvv", "cvc"),
    *("security", "access", "refresh", "pan", "\\", "%"),
)


def _may_name_a_secret(text: str) -> bool:
    if not text.isascii():  # case folding beyond ASCII is the patterns' to judge
        return True
    lowered = text.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def mask_card_numbers(text: str) -> str:
    return cards.mask_card_numbers(text, MASK)


# The signature of a signed link (django.core.signing's value:timestamp:signature,
# a receipt URL): whoever read it in the log could open the link until it expires.
_LINK_SIGNATURE = re.compile(r":([0-9A-Za-z]{4,10}):[A-Za-z0-9_-]{40,}")


def mask_link_signatures(text: str) -> str:
    # Searched first: sub() prepares its template even when nothing matches.
    if ":" not in text or not _LINK_SIGNATURE.search(text):
        return text
    return _LINK_SIGNATURE.sub(rf":\1:{MASK}", text)


def mask_data(value, cards: bool = False):
    """``value`` (parsed JSON) with every secret-looking key's value masked, and
    with ``cards`` the card numbers in its text (JSON escapes can hide them from
    a look at the raw text)."""
    if isinstance(value, dict):
        return {
            key: MASK if SECRET_KEY_PATTERN.search(str(key)) else mask_data(item, cards)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_data(item, cards) for item in value]
    if cards and isinstance(value, str):
        return mask_card_numbers(value)
    return value


def _mask_json(text: str) -> str | None:
    """The JSON text with secret keys masked; None when it is not JSON."""
    try:
        parsed = json.loads(text, parse_float=Decimal)
        masked = mask_data(parsed, cards="\\u" in text)
    except (ValueError, RecursionError):
        return None
    # Re-serialize only when something was masked, so other bodies stay verbatim.
    if masked == parsed:
        return text
    # ensure_ascii=False would write a lone surrogate (sent as "\\ud800") raw, which
    # no database stores as UTF-8; escaped, the row keeps what was sent.
    dumped = json.dumps(masked, ensure_ascii=False, default=str)
    return dumped if storable(dumped) else json.dumps(masked, default=str)


def mask_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    masked = [(key, MASK if SECRET_KEY_PATTERN.search(key) else value) for key, value in pairs]
    return urlencode(masked, safe="[]")


def _unescaped(name: str) -> str:
    """A key as the client meant it: JSON's \\u escapes and a form's %xx undone."""
    if "\\" in name:
        with contextlib.suppress(ValueError):
            name = json.loads(f'"{name}"')
    return unquote_plus(name) if "%" in name else name


_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _unescaped_text(text: str) -> str:
    """Free text with JSON's \\u escapes and a form's %xx undone, to judge it."""
    return unquote_plus(_JSON_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text))


def _mask_pair(match: re.Match) -> str:
    if not _SECRET_NAME.search(_unescaped(match["name"])):
        return match.group()
    quote = match["value"][:1] if match["value"][:1] in "\"'" else ""
    return f"{match['key']}{quote}{MASK}{quote}"


# Where a secret's name stands in free text: the rest of such text is masked.
_SECRET_IN_TEXT = re.compile(rf"{_SENSITIVE_NAMES}|access|refresh|\bpan\b", re.IGNORECASE)
_REST_OF_WORD = re.compile(r"""[\w.%\\-]*+["']?(?:\s*+[:=]\s*+)?""")
_ESCAPE = re.compile(r"[%\\]")


def storable(text: str) -> bool:
    """Whether ``text`` encodes as UTF-8 (it holds no lone surrogate)."""
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _mask_after_secret(text: str) -> str:
    """Text that is neither JSON nor a form (document 000's clients send
    ``"password" "..."``): nothing tells where a secret's value ends, so all that
    follows a secret's name is masked. A name spelled with escapes (%73, \\u0073)
    masks from the first escape on."""
    found = _SECRET_IN_TEXT.search(text)
    cut = _REST_OF_WORD.match(text, found.end()).end() if found else len(text)
    escape = _ESCAPE.search(text, 0, cut)
    if escape and _SECRET_IN_TEXT.search(_unescaped_text(text)):
        cut = min(cut, escape.start())
    if cut == len(text):
        return text
    return f"{text[:cut]}{'' if text[cut - 1] in ':= ' else ' '}{MASK}"


def mask_text(text: str, content_type: str) -> str:
    """A body's text with its secrets masked. JSON is tried whatever the declared
    type (some faces read any body as JSON), then a form, then any text."""
    text = mask_link_signatures(text)
    if not _may_name_a_secret(text):
        return mask_card_numbers(text)
    masked = _mask_json(text)
    free_text = masked is None and "x-www-form-urlencoded" not in content_type
    if masked is None:
        masked = text if free_text else mask_query(text)
    masked = _PAIR.sub(_mask_pair, masked)
    return mask_card_numbers(_mask_after_secret(masked) if free_text else masked)
