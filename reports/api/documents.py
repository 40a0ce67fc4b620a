"""A report as its detail shape and as a finished document (CSV, JSON or PDF
bytes), for the API, the admin and the command line."""

from collections.abc import Iterator

from billing_site.money import from_minor
from reports import selectors
from reports.models import BillingReport

from .renderers import REPORT_RENDERERS, ReportCSVRenderer, is_extended
from .shapes import ReportDetailSerializer


def report_detail(report: BillingReport) -> dict:
    """The report detail of document 003 (``ReportDetailSerializer``)."""
    return ReportDetailSerializer(selectors.report_with_orders(report)).data


def csv_lines(report: BillingReport, columns: str | None = None) -> Iterator[tuple]:
    """The CSV download's lines (``renderers.body_lines``), read straight from the
    frozen lines so that a report of any length streams in flat memory: the
    detail's ``orders[].service_costs[]`` without building the detail (the tests
    pin every column to the detail)."""
    currency = report.currency
    customer_name = report.customer.name if is_extended(columns) else None
    for line in selectors.report_line_rows(report):
        amount = from_minor(line["amount_minor"], currency)
        row = line["order_id"], line["service_id"], line["service_name"], amount
        if customer_name is None:
            yield row
        else:
            order_date = line["order_date"].isoformat()
            yield (*row, line["reference_number"], order_date, currency, customer_name)


def csv_stream(report: BillingReport, *, columns: str | None = None, bom: bool = False):
    """The report's CSV text in chunks, as ``ReportCSVRenderer`` renders its detail."""
    return ReportCSVRenderer.stream(csv_lines(report, columns), columns=columns, bom=bom)


def report_document(
    report: BillingReport, output_format: str, renderer_context: dict | None = None
) -> bytes:
    """The whole document; ``renderer_context`` as the renderer reads it (a CSV's
    ``columns`` and ``bom``)."""
    renderer = REPORT_RENDERERS[output_format]()
    return renderer.render(report_detail(report), renderer_context=renderer_context)


def report_document_parts(
    report: BillingReport, output_format: str, renderer_context: dict | None = None
) -> Iterator[bytes]:
    """``report_document`` in parts: a CSV streamed from the frozen lines (flat
    memory at any length), the other documents whole."""
    if output_format != "csv":
        yield report_document(report, output_format, renderer_context)
        return
    context = renderer_context or {}
    for chunk in csv_stream(report, columns=context.get("columns"), bom=bool(context.get("bom"))):
        yield chunk.encode()


def report_filename(report: BillingReport, output_format: str) -> str:
    return f"billing_report_{report.pk}.{output_format}"


def report_attachment(report: BillingReport, output_format: str) -> dict:
    """The headers that make a download of the document a file of its name."""
    filename = report_filename(report, output_format)
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
