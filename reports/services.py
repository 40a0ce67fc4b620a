"""Writes of the reports app: services, orders, reports and usage records."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum

from billing_site.errors import BillingError, ConflictError
from billing_site.money import MoneyError, check_total
from invoices.models import Customer

from .models import BillingReport, BillingReportLine, Order, OrderServiceCost, Service, UsageRecord


@dataclass(frozen=True)
class OrderInput:
    customer: Customer
    reference_number: str
    order_date: datetime.date
    costs: list[tuple[Service, int]]  # (service, amount in minor units)


@transaction.atomic
def service_create(*, name: str) -> Service:
    service = Service(name=name)
    service.full_clean()
    service.save()
    return service


@transaction.atomic
def order_create_many(*, orders: list[OrderInput]) -> list[Order]:
    """Create orders with their service costs, all or none, in a fixed number of
    statements (bulk inserts), however many orders there are."""
    rows = [
        Order(
            customer=item.customer,
            reference_number=item.reference_number,
            order_date=item.order_date,
        )
        for item in orders
    ]
    try:
        with transaction.atomic():
            Order.objects.bulk_create(rows, batch_size=1000)
    except IntegrityError:
        raise ConflictError("An order with this reference number already exists.") from None
    OrderServiceCost.objects.bulk_create(
        [
            OrderServiceCost(order=row, service=service, amount_minor=amount)
            for row, item in zip(rows, orders, strict=True)
            for service, amount in item.costs
        ],
        batch_size=2000,
    )
    return rows


def _copy_order_lines(report: BillingReport) -> None:
    """Freeze the customer's service costs of the period into the report's lines:
    one INSERT ... SELECT, so the copy costs one statement whatever its size."""
    quote = connection.ops.quote_name
    line, cost = BillingReportLine._meta.db_table, OrderServiceCost._meta.db_table
    order, service = Order._meta.db_table, Service._meta.db_table
    # Table names come from the models; every value is a query parameter.
    sql = (
        f"INSERT INTO {quote(line)} (report_id, order_id, reference_number, order_date, "  # noqa: S608
        "service_id, service_name, amount_minor) "
        "SELECT %s, o.id, o.reference_number, o.order_date, s.id, s.name, c.amount_minor "
        f"FROM {quote(cost)} c JOIN {quote(order)} o ON o.id = c.order_id "
        f"JOIN {quote(service)} s ON s.id = c.service_id "
        "WHERE o.customer_id = %s AND o.order_date >= %s AND o.order_date <= %s "
        "ORDER BY o.id, s.id"
    )
    params = [report.pk, report.customer_id, report.start_date, report.end_date]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@transaction.atomic
def report_generate(
    *, customer: Customer, start_date: datetime.date, end_date: datetime.date
) -> BillingReport:
    """A report of the customer's orders dated in [start_date, end_date], frozen
    as lines, with its totals summed by the database (exact integer cents)."""
    if start_date > end_date:
        raise BillingError("Start date must be before end date")
    if (end_date - start_date).days + 1 > settings.REPORT_MAX_DAYS:
        raise BillingError(f"A report may span at most {settings.REPORT_MAX_DAYS} days")
    report = BillingReport.objects.create(
        customer=customer, start_date=start_date, end_date=end_date
    )
    _copy_order_lines(report)
    lines = BillingReportLine.objects.filter(report=report)
    totals = lines.aggregate(
        total=Sum("amount_minor"), orders=Count("order_id", distinct=True), count=Count("id")
    )
    per_service = (
        lines.values("service_id", "service_name")
        .annotate(amount=Sum("amount_minor"))
        .order_by("service_id")
    )
    report.total_minor = totals["total"] or 0
    try:  # a total over the currency's maximum is refused, and the report with it
        check_total(report.total_amount, report.currency, "A report's total")
    except MoneyError as exc:
        raise BillingError(str(exc)) from None
    report.order_count = totals["orders"]
    report.line_count = totals["count"]
    report.service_totals = {
        str(row["service_id"]): {"service_name": row["service_name"], "amount_minor": row["amount"]}
        for row in per_service
    }
    report.save(update_fields=["total_minor", "order_count", "line_count", "service_totals"])
    return report


def reports_generate_for_period(
    *,
    start_date: datetime.date,
    end_date: datetime.date,
    customer_id: int | None = None,
    force: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> list[BillingReport]:
    """One report per customer with orders in the period. A customer that has a
    report of exactly this period already is skipped unless ``force``."""
    orders = Order.objects.filter(order_date__gte=start_date, order_date__lte=end_date)
    if customer_id is not None:
        orders = orders.filter(customer_id=customer_id)
    customer_ids = sorted(set(orders.values_list("customer_id", flat=True)))
    done = set()
    if not force:
        done = set(
            BillingReport.objects.filter(
                customer_id__in=customer_ids, start_date=start_date, end_date=end_date
            ).values_list("customer_id", flat=True)
        )
    reports = []
    customers = Customer.objects.in_bulk(customer_ids)
    for position, pk in enumerate(customer_ids, start=1):
        customer = customers[pk]
        if pk in done:
            progress(f"[{position}/{len(customer_ids)}] {customer.name}: report exists, skipped")
            continue
        report = report_generate(customer=customer, start_date=start_date, end_date=end_date)
        reports.append(report)
        progress(
            f"[{position}/{len(customer_ids)}] {customer.name}: report {report.pk}, "
            f"{report.order_count} orders, total {report.total_amount}"
        )
    return reports


@transaction.atomic
def usage_record_many(*, records: list[dict]) -> list[UsageRecord]:
    rows = [UsageRecord(**fields) for fields in records]
    for row in rows:
        row.full_clean(exclude=["customer"])
    return UsageRecord.objects.bulk_create(rows, batch_size=1000)
