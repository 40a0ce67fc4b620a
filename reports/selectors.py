"""Reads of the reports app."""

import datetime
import itertools
from collections.abc import Iterator
from decimal import Decimal
from operator import itemgetter

from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, Sum
from django.utils import timezone

from billing_site.api.batches import keyset_rows, ordered_batches
from billing_site.money import from_minor
from invoices.models import Customer

from .models import BillingReport, BillingReportLine, Order, Service, UsageRecord


def service_list():
    return Service.objects.order_by("name", "id")


def order_list(*, user):
    return (
        Order.objects.visible_to(user)
        .select_related("customer")
        .prefetch_related("service_costs__service")
        .order_by("order_date", "id")
    )


def report_list(*, user):
    """Reports ``user`` may see, with their customer and their invoice (the
    link each shows), in the one query."""
    return BillingReport.objects.visible_to(user).select_related("customer", "invoice")


def report_get(*, user, pk: int) -> BillingReport | None:
    return report_list(user=user).filter(pk=pk).first()


def report_of_period(
    *, customer: Customer, start_date: datetime.date, end_date: datetime.date
) -> BillingReport | None:
    """The customer's latest report of exactly this period, if any."""
    reports = BillingReport.objects.filter(
        customer=customer, start_date=start_date, end_date=end_date
    )
    return reports.select_related("customer", "invoice").order_by("-created_at", "-id").first()


def customers_with_orders(
    *, start_date: datetime.date, end_date: datetime.date, customer_id: int | None = None
) -> list[Customer]:
    """The customers with orders dated in the period (or only ``customer_id``), by id."""
    orders = Order.objects.filter(order_date__gte=start_date, order_date__lte=end_date)
    if customer_id is not None:
        orders = orders.filter(customer_id=customer_id)
    return list(Customer.objects.filter(pk__in=orders.values("customer_id")).order_by("pk"))


def report_line_rows(report: BillingReport, batch_size: int = 5000) -> Iterator[dict]:
    """The report's lines in order, read in keyset batches (flat memory)."""
    queryset = BillingReportLine.objects.filter(report=report).values(
        "pk",
        "order_id",
        "reference_number",
        "order_date",
        "service_id",
        "service_name",
        "amount_minor",
    )
    return keyset_rows(queryset, batch_size=batch_size)


def report_orders(report: BillingReport) -> Iterator[dict]:
    """The report's orders from its frozen lines (read in order, in keyset
    batches), each with its service costs; amounts are ``Decimal`` in the
    report's currency."""
    currency = report.currency
    for order_id, lines in itertools.groupby(report_line_rows(report), key=itemgetter("order_id")):
        costs = list(lines)
        yield {
            "order_id": order_id,
            "reference_number": costs[0]["reference_number"],
            "order_date": costs[0]["order_date"],
            "total_amount": from_minor(sum(cost["amount_minor"] for cost in costs), currency),
            "currency": currency,
            "service_costs": [
                {
                    "service_id": cost["service_id"],
                    "service_name": cost["service_name"],
                    "amount": from_minor(cost["amount_minor"], currency),
                    "currency": currency,
                }
                for cost in costs
            ],
        }


def report_with_orders(report: BillingReport) -> BillingReport:
    """``report`` with its orders read into ``frozen_orders`` (as a ``Prefetch``'s
    ``to_attr`` would): what the report detail shows."""
    report.frozen_orders = list(report_orders(report))
    return report


def summarised_customers(*, user):
    """The customers ``user`` sees that have reports, by id: the rows of the
    customer summary, whose figures ``customer_summary_rows`` adds."""
    return (
        Customer.objects.visible_to(user)
        .filter(Exists(BillingReport.objects.filter(customer_id=OuterRef("pk"))))
        .only("pk", "name")
        .order_by("pk")
    )


def customer_summary_rows(customers: list[Customer]) -> list[dict]:
    """Per customer of ``customers`` and currency: how many reports, their summed
    total, the first and the latest; one query."""
    names = {customer.pk: customer.name for customer in customers}
    rows = (
        BillingReport.objects.filter(customer_id__in=names)
        .values("customer_id", "currency")
        .annotate(
            report_count=Count("id"),
            total_minor=Sum("total_minor"),
            first_report=Min("created_at"),
            latest_report=Max("created_at"),
        )
        .order_by("customer_id", "currency")
    )
    return [
        {
            **row,
            "customer_name": names[row["customer_id"]],
            "total_amount": from_minor(row["total_minor"], row["currency"]),
        }
        for row in rows
    ]


def customer_summary(customers, *, batch_size: int) -> Iterator[dict]:
    """Every row of the customer summary of ``customers`` (``summarised_customers``),
    read a batch of customers at a time: two queries a batch, flat memory."""
    for batch in ordered_batches(customers, batch_size=batch_size):
        yield from customer_summary_rows(batch)


class TooManyRecords(Exception):
    pass


def usage_report(*, user, start_date, end_date, **filters) -> tuple[list, Decimal]:
    """The usage records of a period and their total cost, summed exactly; more
    than USAGE_REPORT_MAX_RECORDS of them is refused."""
    limit = settings.USAGE_REPORT_MAX_RECORDS
    records = list(
        usage_list(user=user, start_date=start_date, end_date=end_date, **filters)[: limit + 1]
    )
    if len(records) > limit:
        raise TooManyRecords(
            f"More than {limit} usage records match; narrow the dates or the filters."
        )
    return records, sum((record.cost for record in records), Decimal("0"))


def usage_list(
    *,
    user,
    start_date: datetime.date,
    end_date: datetime.date,
    region: str | None = None,
    service: str | None = None,
):
    """Usage ``user`` may see that started within [start_date, end_date] (whole days)."""
    queryset = UsageRecord.objects.visible_to(user).filter(
        start_time__gte=start_of_day(start_date), start_time__lte=end_of_day(end_date)
    )
    if region:
        queryset = queryset.filter(region=region)
    if service:
        queryset = queryset.filter(service=service)
    return queryset.order_by("start_time", "id")


def start_of_day(value: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))


def end_of_day(value: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.max))
