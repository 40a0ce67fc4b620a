"""A report as a finished document (CSV, JSON or PDF bytes), for the command
line and the admin; the API streams and renders through its views."""

from rest_framework.renderers import JSONRenderer

from . import selectors
from .models import BillingReport
from .renderers import ReportCSVRenderer, ReportPDFRenderer
from .serializers import report_body

RENDERERS = {"csv": ReportCSVRenderer, "json": JSONRenderer, "pdf": ReportPDFRenderer}


def report_document(report: BillingReport, output_format: str) -> bytes:
    body = report_body(report, selectors.report_line_rows(report))
    return RENDERERS[output_format]().render(body)


def report_filename(report: BillingReport, output_format: str) -> str:
    return f"billing_report_{report.pk}.{output_format}"
