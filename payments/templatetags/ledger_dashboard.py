"""The ledger's figures on the admin's index (``payments.dashboard``)."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from billing_site.money import format_for_people

from ..dashboard import ledger_figures

register = template.Library()


def _url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def _date_parts(day) -> list[tuple[str, int]]:
    """A day as the admin's date hierarchy names it in a list's query string."""
    return [("year", day.year), ("month", day.month), ("day", day.day)]


@register.inclusion_tag("admin/payments/ledger_dashboard.html", takes_context=True)
def ledger_dashboard(context):
    """Each figure links to the list it counts; a user sees the figures of what
    they may view."""
    user = context["request"].user
    invoices = user.has_perm("invoices.view_invoice") or user.has_perm("invoices.change_invoice")
    payments = user.has_perm("payments.view_payment")
    refunds = user.has_perm("payments.view_refund")
    today = timezone.localdate()
    figures = ledger_figures(today=today, invoices=invoices, payments=payments, refunds=refunds)
    invoice_list = "admin:invoices_invoice_changelist"
    payment_list = "admin:payments_payment_changelist"
    refund_list = "admin:payments_refund_changelist"
    day = {f"paid_at__{part}": value for part, value in _date_parts(today)}
    refund_day = {f"refunded_at__{part}": value for part, value in _date_parts(today)}
    return {
        "invoices": invoices,
        "payments": payments,
        "refunds": refunds,
        "today": today,
        "overdue_count": sum(row.overdue_count for row in figures),
        "overdue_url": _url(invoice_list, overdue="yes"),
        "payments_count": sum(row.payments_count for row in figures),
        "payments_url": _url(payment_list, **day),
        "rows": [
            {
                "currency": row.currency,
                "open_count": row.open_count,
                "open_balance": format_for_people(row.open_balance, row.currency),
                "open_url": _url(invoice_list, status="unpaid", currency=row.currency),
                "overdue_count": row.overdue_count,
                "overdue_balance": format_for_people(row.overdue_balance, row.currency),
                "overdue_url": _url(invoice_list, overdue="yes", currency=row.currency),
                "payments_count": row.payments_count,
                "payments_total": format_for_people(row.payments_total, row.currency),
                "payments_url": _url(payment_list, **day, currency=row.currency),
                "refunds_count": row.refunds_count,
                "refunds_total": format_for_people(row.refunds_total, row.currency),
                "refunds_url": _url(refund_list, **refund_day, currency=row.currency),
            }
            for row in figures
        ],
    }
