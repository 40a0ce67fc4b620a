"""Card numbers in text: runs of 13 to 19 digits that pass the Luhn check, written
plain or in groups split by spaces, dots or dashes ("4242 4242 4242 4242"). The
API refuses them in free text (``billing_site.api.parsers``) and the request log
masks them (``audit.masking``)."""

import re

# Digits with at most one separator between two of them. A run with exactly one
# separator is an amount or a date ("1234567890123.45"), not a card written in groups.
_CANDIDATE = re.compile(r"(?<!\d)(?:\d[ .-]?){12,18}\d(?!\d)")
_SEPARATORS = re.compile(r"[ .-]")


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _is_card(candidate: str) -> bool:
    digits = _SEPARATORS.sub("", candidate)
    return len(candidate) - len(digits) != 1 and _luhn_valid(digits)


# Digits and separators to "0", all else to "x": a card number needs a run of 13 of them.
_RUN_MAP = bytes(ord("0") if chr(byte) in "0123456789 .-" else ord("x") for byte in range(256))
_RUN = b"0" * 13


def may_hold_card_number(text: str) -> bool:
    """A cheap first look: whether ``text`` has a run of digits and separators
    long enough to hold one (a substring test instead of the pattern's scan,
    which costs more than the rest of masking a short answer full of dates)."""
    if not text.isascii():  # other scripts' digits: the pattern decides
        return _CANDIDATE.search(text) is not None
    return _RUN in text.encode().translate(_RUN_MAP)


def _in_a_word(text: str, match: re.Match) -> bool:
    """Whether the digits are glued to letters: part of a hex digest or a token
    (a signature's 64 hex digits hold a Luhn-valid run of 13 once in a hundred)."""
    before = text[match.start() - 1] if match.start() else ""
    after = text[match.end()] if match.end() < len(text) else ""
    return any(char.isalpha() or char == "_" for char in before + after)


def find_card_number(text: str) -> str | None:
    """The first card number written as one: on its own, not inside a word."""
    return next(
        (
            m.group()
            for m in _CANDIDATE.finditer(text)
            if _is_card(m.group()) and not _in_a_word(text, m)
        ),
        None,
    )


def mask_card_numbers(text: str, mask: str) -> str:
    if not may_hold_card_number(text):
        return text
    return _CANDIDATE.sub(lambda m: mask if _is_card(m.group()) else m.group(), text)
