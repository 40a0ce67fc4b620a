"""Reads of the reports app."""

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from billing_site.api.batches import keyset_rows

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
    return BillingReport.objects.visible_to(user).select_related("customer")


def report_get(*, user, pk: int) -> BillingReport | None:
    return report_list(user=user).filter(pk=pk).first()


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


def customer_summary(*, user, customer_id: int | None = None) -> list[dict]:
    """Per customer: how many reports, their summed total, first and latest."""
    reports = BillingReport.objects.visible_to(user)
    if customer_id is not None:
        reports = reports.filter(customer_id=customer_id)
    return list(
        reports.values("customer_id", "customer__name", "currency")
        .annotate(
            report_count=Count("id"),
            total_minor=Sum("total_minor"),
            first_report=Min("created_at"),
            latest_report=Max("created_at"),
        )
        .order_by("customer_id", "currency")
    )


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
