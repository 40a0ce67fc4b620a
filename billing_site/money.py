"""Money helpers: every amount is a ``Decimal`` quantized to its currency's
ISO 4217 minor unit with ROUND_HALF_UP; nothing passes through ``float``."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Database columns hold any currency's precision; services quantize per currency.
AMOUNT_MAX_DIGITS = 19
AMOUNT_DECIMAL_PLACES = 4
# SQLite keeps a DecimalField as a REAL (a double), exact to 15 significant
# digits: an amount or total with more is stored altered. So every amount, and
# every total computed from lines, stays below 10 ** (EXACT_DIGITS - places) at
# its currency's places (``amount_limit``): exact in SQLite and MariaDB alike.
EXACT_DIGITS = 15
# The bound with no decimal places (JPY's): what an amount stays below whatever
# its currency, and what fits the columns in every database.
MAX_AMOUNT = Decimal(10) ** EXACT_DIGITS

# ISO 4217 minor units that are not 2.
_EXPONENTS = {
    **dict.fromkeys(
        "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0
    ),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    **dict.fromkeys("CLF UYW".split(), 4),
}
_TWO_PLACES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD
    FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR
    KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN
    MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD
    SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD
    TZS UAH USD UYU UZS VED VES WST XCD YER ZAR ZMW ZWG
""".split()
CURRENCY_EXPONENTS: dict[str, int] = {**dict.fromkeys(_TWO_PLACES, 2), **_EXPONENTS}
CURRENCY_CHOICES = [(code, code) for code in sorted(CURRENCY_EXPONENTS)]


class MoneyError(ValueError):
    pass


def currency_exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise MoneyError(f"Unknown currency {currency!r}.") from None


def amount_limit(places: int) -> Decimal:
    """What an amount with ``places`` decimal places stays below to be stored
    exact in every database: 10 ** 13 for USD (2 places), 10 ** 12 for IQD (3)."""
    return Decimal(10) ** (EXACT_DIGITS - places)


def max_amount(currency: str) -> Decimal:
    """The largest amount or total in ``currency``: one minor unit below its limit
    (9,999,999,999,999.99 USD)."""
    places = currency_exponent(currency)
    return amount_limit(places) - Decimal(1).scaleb(-places)


def check_total(amount: Decimal, currency: str, what: str = "Amount") -> None:
    """Raise ``MoneyError`` when ``amount`` is over the currency's maximum."""
    if amount > max_amount(currency):
        raise MoneyError(f"{what} must be at most {max_amount(currency):,} {currency}.")


def quantize(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half-up to the currency's minor unit."""
    return amount.quantize(Decimal(1).scaleb(-currency_exponent(currency)), ROUND_HALF_UP)


def parse_amount(value, currency: str) -> Decimal:
    """An amount sent by a client (string or int; a JSON number arrives as a
    Decimal from our parser) checked to be finite, not negative, not more
    precise than the currency allows and not over its maximum."""
    if isinstance(value, (bool, float)):
        raise MoneyError("Amount must be a decimal string or an integer.")
    if isinstance(value, str) and not value.isascii():  # Decimal() reads any script's digits
        raise MoneyError("Amount must be written with ASCII digits (0-9).")
    try:
        amount = Decimal(str(value).strip()) if isinstance(value, (str, int, Decimal)) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise MoneyError("Amount must be a decimal number.")
    if amount < 0:
        raise MoneyError("Amount must not be negative.")
    # The bound first: quantizing 1e400 overflows the decimal context.
    check_total(amount, currency)
    if quantize(amount, currency) != amount:
        raise MoneyError(
            f"Amount has more decimal places than {currency} allows "
            f"({currency_exponent(currency)})."
        )
    return quantize(amount, currency)


def format_amount(amount: Decimal, currency: str) -> str:
    """The amount as a decimal string with the currency's number of places."""
    return str(quantize(amount, currency))


def format_min_places(amount: Decimal, places: int = 2) -> str:
    """At least ``places`` decimal places ("50000.00"), more only where the amount has them."""
    return f"{amount:.{max(places, -amount.normalize().as_tuple().exponent)}f}"


def format_for_people(amount: Decimal, currency: str) -> str:
    """The amount as people read it: thousands grouped, the currency's places
    ("50,000.000" IQD, "1,200" JPY), more only where the amount has them, so
    nothing is hidden; the amount's own places for an unknown currency."""
    places = max(CURRENCY_EXPONENTS.get(currency, 0), -amount.normalize().as_tuple().exponent)
    return f"{amount:,.{places}f}"


def to_minor(amount: Decimal, currency: str) -> int:
    """An amount in the currency's minor units (cents): an integer, exact to sum anywhere."""
    return int(quantize(amount, currency).scaleb(currency_exponent(currency)))


def from_minor(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-currency_exponent(currency))
