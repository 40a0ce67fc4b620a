"""Input fields shared by the faces."""

from django import forms
from django.db import models
from django_filters import rest_framework as filters
from rest_framework import serializers

# Ids are 64-bit signed integers in every database we run on; a larger number
# can name nothing, and would overflow the driver before the database says so.
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class IdFilter(filters.NumberFilter):
    """An id in a query string: a whole number in range, else a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


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
    """A ModelSerializer whose text fields take strings only."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
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
