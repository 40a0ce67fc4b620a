"""Report documents: CSV (streamed line by line) and PDF (drawn page by page,
so its cost grows linearly with the number of lines). Both render the report
detail shape (``shapes.ReportDetailSerializer``), as JSON does, so ``generate``,
``download``, the admin and the command share them through ``REPORT_RENDERERS``."""

import contextlib
import gc
import io
import itertools
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
from billing_site.documents import fonts

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
    PDF. A cell of printable ASCII is written as it is, in the subset of the
    document font that keeps ASCII's own codes (``fonts.ascii_resource``); any
    other goes through ``fonts.show``, run by run in the fonts of its scripts."""

    MARGIN = 18 * mm
    LINE = 5 * mm
    # Left edges of the columns; the amount is right-aligned at the margin.
    COLUMNS = (0, 24 * mm, 64 * mm, 90 * mm)
    GAP = 2 * mm  # at least, after a cell other than ASCII
    ROW_SIZE = 9

    def __init__(self, buffer, title: str):
        fonts.register()
        self.pdf = canvas.Canvas(buffer, pagesize=A4, initialFontName=fonts.REGULAR)
        self.pdf.setTitle(title)
        self.pdf.setAuthor(settings.BILLING_SELLER_NAME)
        self.width, self.height = A4
        self.page = 1
        self.y = self.height - self.MARGIN
        self._left = f"1 0 0 1 {fp_str(self.MARGIN)}"
        # A row's moves from one column's left edge to the next one's.
        self._moves = [""] + [
            f"{fp_str(right - left)} 0 Td " for left, right in itertools.pairwise(self.COLUMNS)
        ]
        self._amount_moves: dict[float, str] = {}  # from the last cell to its amount
        self._right = self.width - 2 * self.MARGIN  # the right margin, from the left one
        self._y_ops: dict[float, str] = {}  # every page has its rows at the same heights
        self._ascii = {bold: fonts.ascii_resource(self.pdf, bold) for bold in (False, True)}
        # Amounts are ASCII: their widths are sums of their characters' widths.
        self._widths = {
            bold: {
                char: stringWidth(char, fonts.BOLD if bold else fonts.REGULAR, self.ROW_SIZE)
                for char in map(chr, range(32, 127))
            }
            for bold in (False, True)
        }
        self._rows: list[str] = []  # text operators of rows not yet in the page
        self._shown: dict[tuple, str] = {}  # the operators of cells other than ASCII
        self._rows_bold = None  # the font the rows' text object has selected, if any

    def text(self, value: str, size: float = 10, bold: bool = False):
        self._end_rows()
        fonts.draw_string(self.pdf, self.MARGIN, self.y, value, size, bold, base_dir="L")
        self.y -= self.LINE + (2 * mm if size > 10 else 0)

    def row(self, cells: list[str], amount: str, bold: bool = False, base_dir=None):
        """``cells`` from the left edges of the columns, ``amount`` right-aligned;
        ``base_dir`` as in ``fonts.visual``, for cells other than printable ASCII.
        A row is positioned once (``Tm``), each further cell and the amount by the
        distance from the cell before (``Td``)."""
        y = self.y
        if (y_op := self._y_ops.get(y)) is None:
            y_op = self._y_ops[y] = fp_str(y)
        amount_left = self._right - sum(map(self._widths[bold].__getitem__, amount))
        parts = [f"{self._left} {y_op} Tm"]
        for index, cell in enumerate(cells):
            if cell.isascii() and cell.isprintable():
                parts.append(f"{self._moves[index]}{self._select(bold)}({escapePDF(cell)}) Tj")
            else:
                right = self.COLUMNS[index + 1] if index + 1 < len(cells) else amount_left
                shown = self._shown_cell(cell, right - self.COLUMNS[index], bold, base_dir)
                parts.append(f"{self._moves[index]}{shown}")
        move = amount_left - self.COLUMNS[len(cells) - 1]
        if (move_op := self._amount_moves.get(move)) is None:
            move_op = self._amount_moves[move] = f"{fp_str(move)} 0 Td "
        parts.append(f"{move_op}{self._select(bold)}({escapePDF(amount)}) Tj")
        self._rows.append(" ".join(parts))
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

    def _select(self, bold: bool) -> str:
        """The operator (and a space) that selects the ASCII subset of the row font
        in the rows' text object, or "" when it is selected."""
        if bold == self._rows_bold:
            return ""
        self._rows_bold = bold
        return f"{self._ascii[bold]} {self.ROW_SIZE} Tf "

    def _shown_cell(self, cell: str, room: float, bold: bool, base_dir) -> str:
        """The operators of a cell other than printable ASCII, cut at its logical
        end to ``room``, the width up to the next cell (CJK is twice as wide as the
        Latin that the cut by characters was made for). They select other fonts."""
        room -= self.GAP
        while len(cell) > 1 and fonts.string_width(cell, self.ROW_SIZE, bold, base_dir) > room:
            cell = cell[:-1]
        self._rows_bold = None
        key = (cell, bold, base_dir)
        if (shown := self._shown.get(key)) is None:
            shown = self._shown[key] = fonts.show(self.pdf, cell, self.ROW_SIZE, bold, base_dir)
        return shown

    def _end_rows(self):
        """The rows written so far into the page, as one text object."""
        if self._rows:
            self.pdf.addLiteral("BT\n" + "\n".join(self._rows) + "\nET")
            self._rows.clear()
        self._rows_bold = None  # a text object after this one selects its font again

    def _footer(self):
        self._end_rows()
        x, y = self.width - self.MARGIN, self.MARGIN / 2
        fonts.draw_right_string(self.pdf, x, y, f"Page {self.page}", 8)


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
        out.text(f"Billing report {report['id']}", size=16, bold=True)
        out.space(3 * mm)
        out.text(f"Customer: {report['customer_name']} (id {report['customer_id']})")
        out.text(f"Period: {report['start_date']} to {report['end_date']}")
        out.text(f"Generated: {report['created_at']}    Orders: {report['order_count']}")
        out.space(3 * mm)
        out.text("Totals per service", size=11, bold=True)
        for service_id, total in report["service_totals"].items():
            cell = f"{total['service_name']} (service {service_id})"
            out.row([cell], amount_text(total["amount"]), base_dir="L")
        out.row(["Grand total"], grand_total, bold=True)
        out.space(4 * mm)
        out.text("Order lines", size=11, bold=True)
        header = (["Order", "Reference", "Date", "Service"], "Amount", True)
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
        out.row(["Grand total"], grand_total, bold=True)
        out.finish()
        return buffer.getvalue()


# The one table of report documents: the formats ``download`` serves, the admin
# links and the ``generate_reports`` command writes.
REPORT_RENDERERS = {"csv": ReportCSVRenderer, "json": NumberJSONRenderer, "pdf": ReportPDFRenderer}
