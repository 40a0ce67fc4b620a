"""Input fields shared by the faces."""

import datetime
import re

from django import forms
from django.db import models
from django_filters import rest_framework as filters
from rest_framework import serializers

# Ids are 64-bit signed integers in every database we run on; a larger number
# can name nothing, and would overflow the driver before the database says so.
MAX_ID = 2**63 - 1


# Numbers and dates are written in ASCII digits. Python's int() and Decimal(),
# and ``\d`` in the date parsers' patterns, take any script's digits: "\u0661"
# (an Arabic-Indic one) would otherwise be 1, and name invoice 1.
ASCII_DIGITS_ONLY = "Must be written with ASCII digits (0-9)."


class AsciiDigitsMixin:
    """A serializer field that refuses text with anything but ASCII, before its
    own parsing could read another script's digits."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.isascii():
            raise serializers.ValidationError(ASCII_DIGITS_ONLY, code="invalid")
        return super().to_internal_value(data)


class StrictIntegerField(AsciiDigitsMixin, serializers.IntegerField):
    pass


class StrictDecimalField(AsciiDigitsMixin, serializers.DecimalField):
    pass


# A date is ISO 8601's calendar date, YYYY-MM-DD, and nothing else: Django's form
# fields also read "01/01/2023" (as the US would), and Python's fromisoformat
# "20230101" and "2023-W01-1".
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ISO_DATE_ONLY = "Must be a valid date written YYYY-MM-DD."


def iso_date(raw: str) -> datetime.date | None:
    """``raw`` as a date when it is one written YYYY-MM-DD, else None."""
    if isinstance(raw, str) and ISO_DATE.fullmatch(raw):
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            return None
    return None


class IsoDateMixin:
    """A date field that reads YYYY-MM-DD only (after the ASCII check)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and data.isascii() and iso_date(data) is None:
            raise serializers.ValidationError(ISO_DATE_ONLY, code="invalid")
        return super().to_internal_value(data)


class StrictDateField(AsciiDigitsMixin, IsoDateMixin, serializers.DateField):
    pass


class StrictDateTimeField(AsciiDigitsMixin, serializers.DateTimeField):
    pass


class IdField(StrictIntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class AsciiFormMixin:
    """The same for a form field (a filter's query parameter)."""

    def to_python(self, value):
        if isinstance(value, str) and not value.isascii():
            raise forms.ValidationError(ASCII_DIGITS_ONLY, code="invalid")
        return super().to_python(value)


class AsciiIntegerFormField(AsciiFormMixin, forms.IntegerField):
    pass


class AsciiDateFormField(AsciiFormMixin, forms.DateField):
    """A date in a query string: YYYY-MM-DD only, whatever ``DATE_INPUT_FORMATS``
    lists (Django's default reads 01/02/2023 as US), and not padded."""

    default_error_messages = {"invalid": ISO_DATE_ONLY}

    def to_python(self, value):
        if isinstance(value, str) and value != value.strip():
            raise forms.ValidationError(ISO_DATE_ONLY, code="invalid")
        return super().to_python(value)

    def strptime(self, value, format):
        # Every input format goes through here: only YYYY-MM-DD is a date.
        date = iso_date(value)
        if date is None:
            raise ValueError(ISO_DATE_ONLY)
        return date


class IdFilter(filters.NumberFilter):
    """An id in a query string: a whole number in ASCII digits in range, else a 400."""

    field_class = AsciiIntegerFormField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class DateFilter(filters.DateFilter):
    """A date in a query string, YYYY-MM-DD in ASCII digits, else a 400."""

    field_class = AsciiDateFormField


class StrictStringMixin:
    """Only a JSON string is a string here: a number or a boolean sent for text is
    refused (400), not quietly turned into "0" or "True"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(StrictStringMixin, serializers.CharField):
    pass


class StrictEmailField(StrictStringMixin, serializers.EmailField):
    pass


class StrictRegexField(StrictStringMixin, serializers.RegexField):
    pass


class StrictSlugField(StrictStringMixin, serializers.SlugField):
    pass


class StrictURLField(StrictStringMixin, serializers.URLField):
    pass


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose text fields take strings only, and whose numbers
    and dates ASCII digits only."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        **{
            model_field: StrictIntegerField
            for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
            if field is serializers.IntegerField
        },
        models.DecimalField: StrictDecimalField,
        models.DateField: StrictDateField,
        models.DateTimeField: StrictDateTimeField,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.EmailField: StrictEmailField,
        models.SlugField: StrictSlugField,
        models.URLField: StrictURLField,
    }


# The schema of an id wherever the API takes one.
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def whole_number(raw: str, *, maximum: int = MAX_ID) -> int | None:
    """``raw`` as a positive whole number in range, or None. ASCII digits only:
    "²".isdigit() is true, yet int("²") fails."""
    if raw.isascii() and raw.isdigit() and len(raw) <= len(str(maximum)):
        value = int(raw)
        if 0 < value <= maximum:
            return value
    return None
