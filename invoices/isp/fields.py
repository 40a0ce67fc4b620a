"""The fields the ISP face's shapes are made of: the document's strings
(amounts, dates, times, status numbers), its placeholders and its constants."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing_site.api.numbers import MoneyNumberField
from billing_site.api.timestamps import local_time
from invoices.models import STATUS_IDS


def read(instance, name: str):
    """``instance``'s ``name``: a key of a row, an attribute of a model."""
    return instance[name] if isinstance(instance, dict) else getattr(instance, name)


class MoneyStringField(MoneyNumberField):
    """An amount as a decimal string with its currency's places (``"201.29"``)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.coerce_to_string = True  # what the schema says, too

    def to_representation(self, value):
        amount = super().to_representation(value)
        return None if amount is None else str(amount)


class LocalTimeField(serializers.Field):
    """The first of ``names`` that is set, as a local time (with its UTC offset
    when ``offset``), or ""."""

    def __init__(self, *names: str, offset: bool = False, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)
        self.names, self.offset = names, offset

    def to_representation(self, instance):
        for name in self.names:
            if value := read(instance, name):
                return local_time(value, offset=self.offset)
        return ""


class LocalTimeSchema(OpenApiSerializerFieldExtension):
    target_class = LocalTimeField

    def map_serializer_field(self, auto_schema, direction):
        offset = r"[+-]\d{2}:\d{2}" if self.target.offset else ""
        return {
            "type": "string",
            "pattern": rf"^(\d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}}:\d{{2}}{offset})?$",
            "example": "2016-09-26 00:00:00+05:30" if self.target.offset else "2018-10-08 13:19:46",
        }


@extend_schema_field({"type": "string", "pattern": r"^(\d{4}-\d{2}-\d{2})?$"})
class DateStringField(serializers.DateField):
    """A date as ``YYYY-MM-DD``, or "" when there is none."""

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        return "" if value is None else value

    def to_representation(self, value):
        return value and super().to_representation(value)


class PlaceholderField(serializers.CharField):
    """Text, or the document's stand-in where there is none: a string, or the
    name of the setting that holds it."""

    def __init__(self, *, placeholder: str = "", setting: str = "", **kwargs):
        super().__init__(**kwargs)
        self.placeholder, self.setting = placeholder, setting

    def to_representation(self, value):
        return str(value) or (getattr(settings, self.setting) if self.setting else self.placeholder)


class NullWhenEmptyField(serializers.CharField):
    """Text, or null where there is none."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value):
        return str(value) or None


class ConstantField(serializers.CharField):
    """A value the ledger keeps nothing behind, written as the document does."""

    def __init__(self, value: str | None, **kwargs):
        super().__init__(source="*", read_only=True, allow_null=value is None, **kwargs)
        self.value = value

    def to_representation(self, instance):
        return self.value


class JoinedField(serializers.CharField):
    """The values of ``names`` that are set, joined by ", "."""

    def __init__(self, *names: str, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)
        self.names = names

    def to_representation(self, instance):
        return ", ".join(filter(None, (read(instance, name) for name in self.names)))


@extend_schema_field({"type": "string", "enum": sorted(STATUS_IDS.values())})
class StatusIdField(serializers.CharField):
    """A client status by its number: 1 draft, 2 open, 3 partially paid, 4 paid, 5 void."""

    def to_representation(self, value):
        return STATUS_IDS[value]
