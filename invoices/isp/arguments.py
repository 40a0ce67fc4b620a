"""The ISP face's input: its path arguments, read as the document writes them.
A bad one is a 400 naming the argument the document's way (``fromDate``)."""

import datetime
import re

from rest_framework.exceptions import ValidationError

from billing_site.api.fields import ID_SCHEMA, MAX_ID, whole_number

# YYYY-MM-DD in ASCII digits, and nothing else: not 2023-1-1, not 01/01/2023,
# not another script's digits (which ``\d`` would take without re.ASCII).
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

# The document's keywords, and ``overdue``: the unpaid invoices due before today
# (a filter only: ``status_id`` keeps the document's numbers, 2 or 3 for those).
STATUSES = ("paid", "unpaid", "all", "overdue")


def parse_date(value: str, name: str) -> datetime.date:
    if _ISO_DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:  # 2023-02-30
            pass
    raise ValidationError(f"{name} must be a date as yyyy-mm-dd, not {value!r}.")


def parse_id(value: str, name: str) -> int:
    pk = whole_number(value)
    if pk is None:
        raise ValidationError(f"{name} must be a whole number from 1 to {MAX_ID}, not {value!r}.")
    return pk


def parse_status(value: str | None) -> str:
    """``paid``, ``unpaid``, ``all`` or ``overdue``; all when not given."""
    if value is None:
        return "all"
    if value not in STATUSES:
        raise ValidationError(f"status must be one of {', '.join(STATUSES)}, not {value!r}.")
    return value


def parse_range(from_date: str | None, to_date: str | None) -> dict:
    """The issue-date bounds ``fromDate`` and ``toDate`` give (both optional,
    each inclusive), as ``isp_invoice_list`` takes them: a fromDate alone is
    that date onward."""
    bounds = {}
    if from_date is not None:
        bounds["date_from"] = parse_date(from_date, "fromDate")
    if to_date is not None:
        bounds["date_to"] = parse_date(to_date, "toDate")
    if len(bounds) == 2 and bounds["date_from"] > bounds["date_to"]:
        raise ValidationError("fromDate must not be after toDate.")
    return bounds


# How the schema describes each path argument: as the parsers above read it.
_DATE_SCHEMA = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
SCHEMAS = {
    "from_date": _DATE_SCHEMA,
    "to_date": _DATE_SCHEMA,
    "status": {"type": "string", "enum": list(STATUSES)},
    "user_id": ID_SCHEMA,
    "invoice_id": ID_SCHEMA,
}
