"""Input fields shared by the faces."""

from django import forms
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
