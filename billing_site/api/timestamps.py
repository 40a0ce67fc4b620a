"""Times as the legacy documents write them: in the service's time zone,
``YYYY-MM-DD HH:MM:SS`` (or with its UTC offset, ``+05:30``)."""

import datetime

from django.utils import timezone


def local_time(value: datetime.datetime | None, *, offset: bool = False) -> str:
    """``value`` in the service's time zone, to the second; "" for no time."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return (
        local.isoformat(sep=" ", timespec="seconds")
        if offset
        else local.strftime("%Y-%m-%d %H:%M:%S")
    )
