"""Report documents: CSV (streamed line by line) and PDF (drawn page by page,
so its cost grows linearly with the number of lines). Both render the report
detail shape (``shapes.ReportDetailSerializer``), as JSON does, so ``generate``,
``download``, the admin and the command share them through ``REPORT_RENDERERS``."""

import contextlib
import gc
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.conf import settings
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from billing_site.api.numbers import NumberJSONRenderer
from billing_site.api.renderers import BinaryRenderer, DocumentRenderer

# The document's four columns, which its clients read; ``?columns=extended`` adds
# the rest of each line after them.
CSV_COLUMNS = ("order_id", "service_id", "service_name", "amount")
CSV_EXTENDED_COLUMNS = ("reference_number", "order_date", "currency", "customer_name")
CSV_HEADER = ",".join(CSV_COLUMNS) + "\r\n"
CSV_EXTENDED_HEADER = ",".join(CSV_COLUMNS + CSV_EXTENDED_COLUMNS) + "\r\n"
CSV_COLUMN_SETS = ("document", "extended")
# A UTF-8 byte-order mark: Excel reads a CSV file as UTF-8 only when it starts with one.
BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """A quoted CSV cell, defused when a spreadsheet would read it as a formula."""
    if value.startswith(_FORMULA_STARTS):
        value = "'" + value
    return '"' + value.replace('"', '""') + '"'


def amount_text(amount: Decimal) -> str:
    """An amount of the shape (a ``Decimal`` with its currency's places) as the
    documents write it: its digits, never an exponent."""
    return f"{amount:f}"


def is_extended(columns: str | None) -> bool:
    """Whether ``columns`` (a ``CSV_COLUMN_SETS`` value; None is the document's) asks
    for the extended columns."""
    if columns not in (None, *CSV_COLUMN_SETS):
        raise ValueError(f"Not a set of CSV columns: {columns!r}")
    return columns == "extended"


def body_lines(report: dict, columns: str | None = None) -> Iterator[tuple]:
    """``(order_id, service_id, service_name, amount)`` of a report detail, followed by
    ``(reference_number, order_date, currency, customer_name)`` when extended."""
    extended = is_extended(columns)
    for order in report["orders"]:
        for cost in order["service_costs"]:
            line = (order["order_id"], cost["service_id"], cost["service_name"], cost["amount"])
            if extended:
                line += (
                    order["reference_number"],
                    order["order_date"],
                    report["currency"],
                    report["customer_name"],
                )
            yield line


def csv_line(line: tuple) -> str:
    """A CSV line of a ``body_lines`` line: ids and amount as they are, every text
    quoted and defused."""
    order_id, service_id, service_name, amount = line[:4]
    text = f"{order_id},{service_id},{csv_text(service_name)},{amount_text(amount)}"
    if len(line) > 4:
        text += "," + ",".join(csv_text(str(cell)) for cell in line[4:])
    return text + "\r\n"


class ReportCSVRenderer(DocumentRenderer):
    """The report's lines as CSV. The renderer context's ``columns`` ("extended" adds
    ``CSV_EXTENDED_COLUMNS``) and ``bom`` (true starts it with a byte-order mark)
    choose its form; without them it is the document's."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    @staticmethod
    def stream(
        lines: Iterable[tuple], *, columns: str | None = None, bom: bool = False, chunk_lines=1000
    ) -> Iterator[str]:
        """The CSV text of ``body_lines``' lines (of the same ``columns``) in chunks."""
        header = CSV_EXTENDED_HEADER if is_extended(columns) else CSV_HEADER
        yield BOM + header if bom else header
        chunk = []
        for line in lines:
            chunk.append(csv_line(line))
            if len(chunk) == chunk_lines:
                yield "".join(chunk)
                chunk = []
        if chunk:
            yield "".join(chunk)

    def render_document(self, report, renderer_context) -> bytes:
        columns, bom = renderer_context.get("columns"), bool(renderer_context.get("bom"))
        lines = body_lines(report, columns)
        return "".join(self.stream(lines, columns=columns, bom=bom)).encode()


class _PdfWriter:
    """Writes rows top to bottom, starting a new page when one is full.

    The cells of the rows go into the page as text operators, one text object
    (``BT ... ET``) for the rows between two other drawings, and the font is set
    when it changes. Through ``drawString`` every cell made a text object of its
    own and had its text measured and formatted by ReportLab's Python code, and
    every row set the font: that was about three quarters of the time of a long
    PDF. The page is drawn the same: the same fonts, positions and text."""

    MARGIN = 18 * mm
    LINE = 5 * mm
    # Left edges of the columns; the amount is right-aligned at the margin.
    COLUMNS = (0, 24 * mm, 64 * mm, 90 * mm)
    ROW_SIZE = 9

    def __init__(self, buffer, title: str):
        self.pdf = canvas.Canvas(buffer, pagesize=A4)
        self.pdf.setTitle(title)
        self.pdf.setAuthor(settings.BILLING_SELLER_NAME)
        self.width, self.height = A4
        self.page = 1
        self.y = self.height - self.MARGIN
        self._lefts = [(self.MARGIN + left, fp_str(self.MARGIN + left)) for left in self.COLUMNS]
        self._rows: list[str] = []  # text operators of rows not yet in the page
        self._rows_font = None  # the page's font, when the rows set it

    def text(self, value: str, font=("Helvetica", 10)):
        self._set_font(*font)
        self.pdf.drawString(self.MARGIN, self.y, value)
        self.y -= self.LINE + (2 * mm if font[1] > 10 else 0)

    def row(self, cells: list[str], amount: str, font: str = "Helvetica"):
        if font != self._rows_font:
            self._set_font(font, self.ROW_SIZE)
            self._rows_font = font
        y = self.y
        y_op = fp_str(y)
        for (x, x_op), cell in zip(self._lefts, cells, strict=False):
            self._show(x, x_op, y, y_op, cell)
        x = self.width - self.MARGIN - stringWidth(amount, font, self.ROW_SIZE)
        self._show(x, fp_str(x), y, y_op, amount)
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

    def _show(self, x: float, x_op: str, y: float, y_op: str, value: str):
        """``value`` at (x, y) in the current font; ``x_op``, ``y_op`` as ReportLab
        writes the numbers."""
        if value.isascii() and value.isprintable():
            # Printable ASCII is itself in the fonts' encoding (WinAnsi): the
            # operators are those drawString writes, without its own BT, T* and ET.
            self._rows.append(f"1 0 0 1 {x_op} {y_op} Tm ({escapePDF(value)}) Tj")
        else:  # ReportLab encodes the rest, and takes a glyph from another font if need be.
            self._end_rows()
            text = self.pdf.beginText(x, y)
            text.textOut(value)
            self.pdf.drawText(text)

    def _end_rows(self):
        """The rows written so far into the page, as one text object."""
        if self._rows:
            self.pdf.addLiteral("BT\n" + "\n".join(self._rows) + "\nET")
            self._rows.clear()

    def _set_font(self, name: str, size: float):
        self._end_rows()
        self._rows_font = None
        self.pdf.setFont(name, size)

    def _footer(self):
        self._set_font("Helvetica", 8)  # and the next page's rows set theirs again
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
        grand_total = f"{amount_text(report['total_amount'])} {report['currency']}"
        out.text(f"Billing report {report['id']}", font=("Helvetica-Bold", 16))
        out.space(3 * mm)
        out.text(f"Customer: {report['customer_name']} (id {report['customer_id']})")
        out.text(f"Period: {report['start_date']} to {report['end_date']}")
        out.text(f"Generated: {report['created_at']}    Orders: {report['order_count']}")
        out.space(3 * mm)
        out.text("Totals per service", font=("Helvetica-Bold", 11))
        for service_id, total in report["service_totals"].items():
            out.row(
                [f"{total['service_name']} (service {service_id})"], amount_text(total["amount"])
            )
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
                out.row(cells, amount_text(cost["amount"]))
        out.space(2 * mm)
        out.row(["Grand total"], grand_total, font="Helvetica-Bold")
        out.finish()
        return buffer.getvalue()


# The one table of report documents: the formats ``download`` serves, the admin
# links and the ``generate_reports`` command writes.
REPORT_RENDERERS = {"csv": ReportCSVRenderer, "json": NumberJSONRenderer, "pdf": ReportPDFRenderer}
