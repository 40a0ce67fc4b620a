"""Report documents: CSV (streamed line by line) and PDF (drawn page by page,
so its cost grows linearly with the number of lines). Both render the report
body of the API, so ``generate`` and ``download`` share them."""

import contextlib
import gc
import io
from collections.abc import Iterable, Iterator

from django.conf import settings
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from billing_site.api.renderers import BinaryRenderer, DocumentRenderer

CSV_HEADER = "order_id,service_id,service_name,amount\r\n"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """A quoted CSV cell, defused when a spreadsheet would read it as a formula."""
    if value.startswith(_FORMULA_STARTS):
        value = "'" + value
    return '"' + value.replace('"', '""') + '"'


def body_lines(report: dict) -> Iterator[tuple]:
    """``(order_id, service_id, service_name, amount)`` of a report body."""
    for order in report["orders"]:
        for cost in order["service_costs"]:
            yield order["order_id"], cost["service_id"], cost["service_name"], cost["amount"]


class ReportCSVRenderer(DocumentRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    @staticmethod
    def stream(lines: Iterable[tuple], chunk_lines: int = 1000) -> Iterator[str]:
        yield CSV_HEADER
        chunk = []
        for order_id, service_id, service_name, amount in lines:
            chunk.append(f"{order_id},{service_id},{csv_text(service_name)},{amount}\r\n")
            if len(chunk) == chunk_lines:
                yield "".join(chunk)
                chunk = []
        if chunk:
            yield "".join(chunk)

    def render_document(self, report, renderer_context) -> bytes:
        return "".join(self.stream(body_lines(report))).encode()


class _PdfWriter:
    """Writes rows top to bottom, starting a new page when one is full."""

    MARGIN = 18 * mm
    LINE = 5 * mm
    # Left edges of the columns; the amount is right-aligned at the margin.
    COLUMNS = (0, 24 * mm, 64 * mm, 90 * mm)

    def __init__(self, buffer, title: str):
        self.pdf = canvas.Canvas(buffer, pagesize=A4)
        self.pdf.setTitle(title)
        self.pdf.setAuthor(settings.BILLING_SELLER_NAME)
        self.width, self.height = A4
        self.page = 1
        self.y = self.height - self.MARGIN

    def text(self, value: str, font=("Helvetica", 10)):
        self.pdf.setFont(*font)
        self.pdf.drawString(self.MARGIN, self.y, value)
        self.y -= self.LINE + (2 * mm if font[1] > 10 else 0)

    def row(self, cells: list[str], amount: str, font: str = "Helvetica"):
        self.pdf.setFont(font, 9)
        for left, cell in zip(self.COLUMNS, cells, strict=False):
            self.pdf.drawString(self.MARGIN + left, self.y, cell)
        self.pdf.drawRightString(self.width - self.MARGIN, self.y, amount)
        self.y -= self.LINE

    def space(self, height: float):
        self.y -= height

    def page_full(self) -> bool:
        return self.y < self.MARGIN + self.LINE

    def new_page(self):
        self._footer()
        self.pdf.showPage()
        self.page += 1
        self.y = self.height - self.MARGIN

    def finish(self):
        self._footer()
        self.pdf.save()

    def _footer(self):
        self.pdf.setFont("Helvetica", 8)
        self.pdf.drawRightString(self.width - self.MARGIN, self.MARGIN / 2, f"Page {self.page}")


@contextlib.contextmanager
def cyclic_collector_paused():
    """Drawing makes a great many objects and no reference cycles; the cyclic
    collector would scan the growing heap again and again, so that the time grew
    faster than the lines. Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class ReportPDFRenderer(BinaryRenderer):
    media_type = "application/pdf"
    format = "pdf"

    def render_document(self, report, renderer_context) -> bytes:
        with cyclic_collector_paused():
            return self._draw(report)

    def _draw(self, report) -> bytes:
        buffer = io.BytesIO()
        out = _PdfWriter(buffer, f"Billing report {report['id']}")
        grand_total = f"{report['total_amount']} {report['currency']}"
        out.text(f"Billing report {report['id']}", font=("Helvetica-Bold", 16))
        out.space(3 * mm)
        out.text(f"Customer: {report['customer_name']} (id {report['customer_id']})")
        out.text(f"Period: {report['start_date']} to {report['end_date']}")
        out.text(f"Generated: {report['created_at']}    Orders: {report['order_count']}")
        out.space(3 * mm)
        out.text("Totals per service", font=("Helvetica-Bold", 11))
        for service_id, total in report["service_totals"].items():
            out.row([f"{total['service_name']} (service {service_id})"], total["amount"])
        out.row(["Grand total"], grand_total, font="Helvetica-Bold")
        out.space(4 * mm)
        out.text("Order lines", font=("Helvetica-Bold", 11))
        header = (["Order", "Reference", "Date", "Service"], "Amount", "Helvetica-Bold")
        out.row(*header)
        for order in report["orders"]:
            for cost in order["service_costs"]:
                if out.page_full():
                    out.new_page()
                    out.row(*header)
                cells = [
                    str(order["order_id"]),
                    order["reference_number"][:20],
                    order["order_date"],
                    cost["service_name"][:40],
                ]
                out.row(cells, cost["amount"])
        out.space(2 * mm)
        out.row(["Grand total"], grand_total, font="Helvetica-Bold")
        out.finish()
        return buffer.getvalue()
