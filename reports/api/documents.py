"""A report as its detail shape and as a finished document (CSV, JSON or PDF
bytes), for the API, the admin and the command line."""

from collections.abc import Iterator

from billing_site.money import from_minor
from reports import selectors
from reports.models import BillingReport

from .renderers import REPORT_RENDERERS
from .shapes import ReportDetailSerializer


def report_detail(report: BillingReport) -> dict:
    """The report detail of document 003 (``ReportDetailSerializer``)."""
    return ReportDetailSerializer(selectors.report_with_orders(report)).data


def csv_lines(report: BillingReport) -> Iterator[tuple]:
    """The CSV download's ``(order_id, service_id, service_name, amount)``, read
    straight from the frozen lines so that a report of any length streams in
    flat memory: the detail's ``orders[].service_costs[]`` without building the
    detail (the tests pin every column to the detail)."""
    currency = report.currency
    for line in selectors.report_line_rows(report):
        amount = from_minor(line["amount_minor"], currency)
        yield line["order_id"], line["service_id"], line["service_name"], amount


def report_document(report: BillingReport, output_format: str) -> bytes:
    return REPORT_RENDERERS[output_format]().render(report_detail(report))


def report_filename(report: BillingReport, output_format: str) -> str:
    return f"billing_report_{report.pk}.{output_format}"
