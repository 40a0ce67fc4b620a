"""Writes of the reports app: services, orders, reports and usage records."""

import contextlib
import datetime
import enum
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, Min, Sum
from django.utils import timezone

from billing_site.errors import BillingError, ConflictError, NotFoundError
from billing_site.money import MoneyError, check_total, from_minor
from invoices.models import Customer, Invoice
from invoices.services import LineInput, invoice_create

from . import selectors
from .events import report_event
from .models import (
    BillingReport,
    BillingReportLine,
    Order,
    OrderServiceCost,
    Service,
    UsageRecord,
    default_currency,
)


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


def report_period_check(*, start_date: datetime.date, end_date: datetime.date) -> None:
    """A report's period starts no later than it ends and spans at most REPORT_MAX_DAYS."""
    if start_date > end_date:
        raise BillingError("Start date must be before end date")
    if (end_date - start_date).days + 1 > settings.REPORT_MAX_DAYS:
        raise BillingError(f"A report may span at most {settings.REPORT_MAX_DAYS} days")


@transaction.atomic
def report_generate(
    *, customer: Customer, start_date: datetime.date, end_date: datetime.date
) -> BillingReport:
    """A report of the customer's orders dated in [start_date, end_date], frozen
    as lines, with its totals summed by the database (exact integer cents)."""
    report_period_check(start_date=start_date, end_date=end_date)
    report = BillingReport.objects.create(
        customer=customer, start_date=start_date, end_date=end_date
    )
    _freeze(report)
    report_event(report)
    return report


@transaction.atomic
def report_regenerate(*, report: BillingReport) -> BillingReport:
    """The report made again in place (its id stays) from the orders of its period
    as they are now: its lines replaced, its totals and ``created_at`` new. A
    billed report is refused (a plain 400-kind error, not a conflict that a
    queued run would retry): its lines are what its invoice bills. Its row is
    locked first, so a bill made meanwhile (``report_bill``) is seen."""
    invoice_id = (
        BillingReport.objects.select_for_update()
        .filter(pk=report.pk)
        .values_list("invoice_id", flat=True)
        .first()
    )
    if invoice_id is not None:
        raise BillingError(
            f"Report {report.pk} is billed (invoice id {invoice_id}) and is not made again."
        )
    BillingReportLine.objects.filter(report=report).delete()
    report.created_at = timezone.now()
    report.currency = default_currency()
    _freeze(report, also=("created_at", "currency"))
    report_event(report)
    return report


def _freeze(report: BillingReport, also: tuple[str, ...] = ()) -> None:
    """Copy the report's lines and save its totals (and the fields ``also`` names)."""
    _copy_order_lines(report)
    lines = BillingReportLine.objects.filter(report=report)
    totals = lines.aggregate(
        total=Sum("amount_minor"), orders=Count("order_id", distinct=True), count=Count("id")
    )
    # Grouped by the service's id alone: its lines all hold the name the one
    # INSERT ... SELECT read, so any of them (MIN) is it, and the database groups
    # on an integer instead of a collated text (about half the time on MariaDB).
    per_service = (
        lines.values("service_id")
        .annotate(service_name=Min("service_name"), amount=Sum("amount_minor"))
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
    report.save(update_fields=["total_minor", "order_count", "line_count", "service_totals", *also])


def _bill_lines(report: BillingReport) -> list[LineInput]:
    """One untaxed line per service of the report, by service id: quantity 1 at
    the service's total, the exact amount the report froze (minor units turned
    into the currency's Decimal, never rounded)."""
    totals = sorted(report.service_totals.items(), key=lambda item: int(item[0]))
    return [
        LineInput(
            description=total["service_name"],
            unit_price=from_minor(total["amount_minor"], report.currency),
        )
        for _, total in totals
    ]


@transaction.atomic
def report_bill(
    *,
    report: BillingReport | int,
    issue: bool = True,
    due_date: datetime.date | None = None,
) -> tuple[Invoice, bool]:
    """The report's invoice and whether this call made it. Made once: the report's
    row is locked while it is looked for and made, so concurrent calls queue and
    all but the first answer the invoice the first made (whatever its status
    since, and whatever ``issue`` or ``due_date`` they ask for). The invoice is
    the report's customer's, in its currency, over its period, one line per
    service (``_bill_lines``); issued at once unless ``issue`` is false (a draft,
    issued later through the invoices face). Its events (``invoice.created``,
    ``invoice.issued``) are written by the invoice services with it. A report
    with nothing to bill (no service costs, or all of them zero) is refused."""
    pk = report.pk if isinstance(report, BillingReport) else report
    # The report's row only: a join would lock the customer's row too on MariaDB,
    # which every invoice and order of the customer's reads under a shared lock.
    report = BillingReport.objects.select_for_update().filter(pk=pk).first()
    if report is None:  # it is never deleted; an id that never was one
        raise NotFoundError(f"Report {pk} does not exist.")
    if report.invoice_id is not None:
        return Invoice.objects.get(pk=report.invoice_id), False
    if report.total_minor == 0:
        raise ConflictError(
            f"Report {pk} has nothing to bill: its period ({report.start_date} to "
            f"{report.end_date}) has no service costs above zero."
        )
    today = timezone.localdate()
    invoice = invoice_create(
        customer=Customer.objects.get(pk=report.customer_id),
        currency=report.currency,
        lines=_bill_lines(report),
        issue_date=today if issue else None,  # a draft's is the day it is issued
        due_date=due_date or today + datetime.timedelta(days=settings.REPORT_INVOICE_DUE_DAYS),
        period_from=report.start_date,
        period_to=report.end_date,
        description=f"Billing report {pk}: {report.start_date} to {report.end_date}",
        issue=issue,
    )
    report.invoice = invoice
    report.save(update_fields=["invoice"])
    return invoice, True


class PeriodOutcome(enum.StrEnum):
    CREATED = "created"
    REPLACED = "replaced"
    KEPT = "kept"


def report_for_period(
    *,
    customer: Customer,
    start_date: datetime.date,
    end_date: datetime.date,
    replace: bool = False,
    then: Callable[[BillingReport, PeriodOutcome], None] | None = None,
) -> tuple[BillingReport, PeriodOutcome]:
    """The customer's report of exactly this period: made when it has none, made
    again in place when ``replace``, else the one it has (the latest, should the
    API have made several). Looked for and made under a lock of the customer's
    period, in one transaction with ``then`` (which writes the report's file): if
    ``then`` raises, nothing of it is saved. Two runs at once make one report."""
    report_period_check(start_date=start_date, end_date=end_date)
    with _period_lock(customer.pk, start_date, end_date), transaction.atomic():
        report = selectors.report_of_period(
            customer=customer, start_date=start_date, end_date=end_date
        )
        if report is None:
            outcome = PeriodOutcome.CREATED
            report = report_generate(customer=customer, start_date=start_date, end_date=end_date)
        elif replace:
            outcome = PeriodOutcome.REPLACED
            report = report_regenerate(report=report)
        else:
            outcome = PeriodOutcome.KEPT
        if then is not None:
            then(report, outcome)
    return report, outcome


@contextlib.contextmanager
def _period_lock(customer_id: int, start_date: datetime.date, end_date: datetime.date):
    """Held while a customer's report of a period is looked for and made. MariaDB:
    a named lock, not the customer's row, which every order and invoice inserted
    for the customer meanwhile would wait for (a foreign key check reads it under
    a shared lock). SQLite: a transaction takes the database's one write lock as it
    begins (``transaction_mode`` IMMEDIATE, see settings), which orders them already."""
    if connection.vendor != "mysql":
        yield
        return
    name = f"billing_report:{customer_id}:{start_date}:{end_date}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT GET_LOCK(%s, %s)", [name, settings.DATABASE_TIMEOUT_SECONDS])
        (held,) = cursor.fetchone()
    if held != 1:
        raise ConflictError(
            f"Another run still makes the report of customer {customer_id} "
            f"for {start_date} to {end_date}."
        )
    try:
        yield
    finally:
        # A connection that was lost took its lock with it.
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT RELEASE_LOCK(%s)", [name])


@transaction.atomic
def usage_record_many(*, records: list[dict]) -> list[UsageRecord]:
    rows = [UsageRecord(**fields) for fields in records]
    for row in rows:
        row.full_clean(exclude=["customer"])
    return UsageRecord.objects.bulk_create(rows, batch_size=1000)
