"""Pinning the day due dates are compared with (``billing_today``) in tests,
where each module that asks for it reads it."""

import datetime

READERS = (
    "invoices.admin",
    "invoices.api.filters",
    "invoices.api.serializers",
    "invoices.isp.selectors",
    "invoices.reminders",
    "bills.api.filters",
    "payments.gateway.selectors",
)


def pin_today(monkeypatch, day: datetime.date) -> None:
    for module in READERS:
        monkeypatch.setattr(f"{module}.billing_today", lambda: day)
