"""The layout business documents share (invoices, receipts, bills): a header
with the seller (logo, name, address, tax id) beside the document's title and
mark (PAID, VOID), a block for the customer beside the document's facts, an
items table, totals, notes, and a footer on every page. The pieces know no
model: they are given text, already formatted (``formatting``).

Every text from data goes through ``fonts.markup`` (Paragraphs) or
``fonts.visual`` (the canvas), in the fonts of ``fonts``."""

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from . import fonts
from .seller import Seller

logger = logging.getLogger(__name__)

INK = colors.HexColor("#111827")
MUTED = colors.HexColor("#6b7280")
RULE = colors.HexColor("#d1d5db")
SHADE = colors.HexColor("#f3f4f6")
GREEN = colors.HexColor("#15803d")
RED = colors.HexColor("#b91c1c")
GREY = colors.HexColor("#6b7280")

PAGE = A4
MARGIN = 18 * mm
WIDTH = PAGE[0] - 2 * MARGIN
BOTTOM = 20 * mm  # above the footer
LOGO_BOX = (48 * mm, 18 * mm)
_NO_PADDING = dict.fromkeys(["leftPadding", "rightPadding", "topPadding", "bottomPadding"], 0)


@cache
def _styles() -> dict[str, ParagraphStyle]:
    fonts.register()  # before any paragraph is made in the documents' fonts
    regular, bold = fonts.REGULAR, fonts.BOLD

    def style(name, font=regular, size=9, leading=None, color=INK, align=TA_LEFT, **more):
        return ParagraphStyle(
            name,
            fontName=font,
            fontSize=size,
            leading=leading or size * 1.3,
            textColor=color,
            alignment=align,
            **more,
        )

    return {
        "title": style("title", bold, 22, 26, align=TA_RIGHT),
        "subtitle": style("subtitle", regular, 10, color=MUTED, align=TA_RIGHT),
        "seller": style("seller", bold, 12, 15),
        "small": style("small", regular, 8.5, 11, color=MUTED),
        "caption": style("caption", bold, 7.5, 10, color=MUTED, spaceAfter=2),
        "party": style("party", bold, 10, 13),
        "text": style("text", regular, 9, 12),
        "strong": style("strong", bold, 9, 12),
        "number": style("number", regular, 9, 12, align=TA_RIGHT),
        "strong_number": style("strong_number", bold, 9, 12, align=TA_RIGHT),
        "head": style("head", bold, 8, 10, color=MUTED),
        "head_number": style("head_number", bold, 8, 10, color=MUTED, align=TA_RIGHT),
        "headline": style("headline", bold, 13, 17),
        "total": style("total", bold, 11, 14),
        "total_number": style("total_number", bold, 11, 14, align=TA_RIGHT),
    }


def style(name: str) -> ParagraphStyle:
    return _styles()[name]


def text(value, style_name: str = "text") -> Paragraph:
    """A paragraph of ``value`` (data: escaped, in the documents' fonts)."""
    return Paragraph(fonts.markup(str(value)), style(style_name))


@dataclass(frozen=True)
class Mark:
    """A stamp beside the title: PAID, VOID, DRAFT."""

    word: str
    color: colors.Color


PAID = Mark("PAID", GREEN)
VOID = Mark("VOID", RED)
DRAFT = Mark("DRAFT", GREY)


class Stamp(Flowable):
    """A mark as a framed word, right-aligned in its column."""

    size = 15
    padding = (4 * mm, 1.8 * mm)

    def __init__(self, mark: Mark):
        super().__init__()
        self.mark = mark

    def wrap(self, available_width, available_height):
        self.available_width = available_width
        self.box_width = stringWidth(self.mark.word, fonts.BOLD, self.size) + 2 * self.padding[0]
        self.box_height = self.size + 2 * self.padding[1]
        return available_width, self.box_height + 2 * mm

    def draw(self):
        canvas = self.canv
        x = self.available_width - self.box_width
        canvas.setStrokeColor(self.mark.color)
        canvas.setFillColor(self.mark.color)
        canvas.setLineWidth(1.6)
        canvas.roundRect(x, 0, self.box_width, self.box_height, 2 * mm, stroke=1, fill=0)
        canvas.setFont(fonts.BOLD, self.size)
        canvas.drawCentredString(
            x + self.box_width / 2, self.padding[1] + 0.22 * self.size, fonts.visual(self.mark.word)
        )


def _logo(path: str) -> Image | None:
    """The seller's logo scaled into ``LOGO_BOX``; none (and a warning) when the
    file cannot be read, so a wrong setting never fails a document."""
    try:
        width, height = ImageReader(path).getSize()
    except (OSError, ValueError):
        logger.warning("The seller's logo %r cannot be read; documents go without it.", path)
        return None
    scale = min(LOGO_BOX[0] / width, LOGO_BOX[1] / height)
    image = Image(path, width=width * scale, height=height * scale)
    image.hAlign = "LEFT"
    return image


def seller_block(seller: Seller) -> list[Flowable]:
    block = []
    if seller.logo and (logo := _logo(seller.logo)):
        block += [logo, Spacer(1, 2.5 * mm)]
    block.append(text(seller.name, "seller"))
    details = [*seller.address_lines]
    if seller.tax_id:
        details.append(f"Tax ID: {seller.tax_id}")
    block += [text(line, "small") for line in details]
    return block


def header(seller: Seller, title: str, subtitle: str = "", mark: Mark | None = None) -> Table:
    """Seller on the left; the title, its number and the mark on the right."""
    right = [text(title, "title")]
    if subtitle:
        right.append(text(subtitle, "subtitle"))
    if mark:
        right += [Spacer(1, 3 * mm), Stamp(mark)]
    return Table(
        [[seller_block(seller), right]],
        colWidths=[WIDTH * 0.6, WIDTH * 0.4],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5 * mm),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
            ]
        ),
    )


def facts(rows: Sequence[tuple[str, str]]) -> Table:
    """Label and value pairs, the labels muted: the document's number, dates, terms."""
    return Table(
        [[text(name, "head"), text(value, "number")] for name, value in rows],
        colWidths=[WIDTH * 0.18, WIDTH * 0.32],
        hAlign="RIGHT",
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
            ]
        ),
    )


def parties(caption: str, party: Sequence[str], rows: Sequence[tuple[str, str]]) -> Table:
    """The customer (its first line as the name) beside the document's facts."""
    block = [text(caption.upper(), "caption")]
    if party:
        block.append(text(party[0], "party"))
        block += [text(line) for line in party[1:]]
    return Table(
        [[block, facts(rows)]],
        colWidths=[WIDTH * 0.5, WIDTH * 0.5],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 5 * mm),
            ]
        ),
    )


def headline(value: str) -> list[Flowable]:
    return [Spacer(1, 7 * mm), text(value, "headline"), Spacer(1, 4 * mm)]


@dataclass
class Column:
    title: str
    width: float  # a share of the page's width
    numeric: bool = False


def items(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> Table:
    """A table of items under a header row; numeric columns right-aligned."""
    head = [text(column.title, "head_number" if column.numeric else "head") for column in columns]
    body = [
        [
            text(value, "number" if column.numeric else "text")
            for column, value in zip(columns, row, strict=True)
        ]
        for row in rows
    ]
    return Table(
        [head, *body],
        colWidths=[WIDTH * column.width for column in columns],
        repeatRows=1,
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
            ]
        ),
    )


@dataclass(frozen=True)
class Total:
    name: str
    value: str
    strong: bool = False  # the total and the balance: bold, ruled above


def totals(rows: Sequence[Total], width: float = 0.45) -> Table:
    """Totals, right-aligned under the items; a strong row is ruled above and shaded."""
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for index, row in enumerate(rows):
        if row.strong:
            commands += [
                ("LINEABOVE", (0, index), (-1, index), 0.8, INK),
                ("BACKGROUND", (0, index), (-1, index), SHADE),
            ]
    return Table(
        [
            [
                text(row.name, "strong" if row.strong else "text"),
                text(row.value, "strong_number" if row.strong else "number"),
            ]
            for row in rows
        ],
        colWidths=[WIDTH * width * 0.55, WIDTH * width * 0.45],
        hAlign="RIGHT",
        style=TableStyle(commands),
    )


def beside(left: Flowable | None, right: Flowable) -> Table:
    """Two blocks side by side (a tax summary beside the totals), top-aligned."""
    return Table(
        [[left or "", right]],
        spaceBefore=4 * mm,
        colWidths=[WIDTH * 0.5, WIDTH * 0.5],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ]
        ),
    )


def note(caption: str, body: str) -> KeepTogether:
    return KeepTogether(
        [Spacer(1, 6 * mm), text(caption.upper(), "caption"), text(body)],
    )


def link_note(caption: str, url: str) -> KeepTogether:
    """A note whose body is a link a reader of the PDF can click."""
    address = escape(url, {'"': "&quot;"})
    body = Paragraph(f'<a href="{address}" color="blue">{address}</a>', style("text"))
    return KeepTogether([Spacer(1, 6 * mm), text(caption.upper(), "caption"), body])


@dataclass
class Document:
    """Pages of flowables, built into one PDF with the seller in every footer."""

    title: str
    seller: Seller
    pages: list[list[Flowable]] = field(default_factory=list)

    FOOTER_SIZE = 7.5

    def footer_line(self, width: float) -> str:
        """The seller on one line: name, address and tax id, as much as fits."""
        parts = [self.seller.name, *self.seller.address_lines]
        if self.seller.tax_id:
            parts.append(f"Tax ID {self.seller.tax_id}")
        while len(parts) > 1:
            line = " \N{MIDDLE DOT} ".join(parts)
            if stringWidth(line, fonts.REGULAR, self.FOOTER_SIZE) <= width:
                return line
            parts.pop()
        return parts[0]

    def _footer(self, canvas, document):
        page = fonts.visual(f"{self.title} \N{MIDDLE DOT} page {canvas.getPageNumber()}")
        room = WIDTH - stringWidth(page, fonts.REGULAR, self.FOOTER_SIZE) - 8 * mm
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, 13 * mm, PAGE[0] - MARGIN, 13 * mm)
        canvas.setFont(fonts.REGULAR, self.FOOTER_SIZE)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, 9 * mm, fonts.visual(self.footer_line(room)))
        canvas.drawRightString(PAGE[0] - MARGIN, 9 * mm, page)
        canvas.restoreState()

    def pdf(self) -> bytes:
        fonts.register()
        buffer = io.BytesIO()
        # A frame without padding: the tables span exactly the text width.
        frame = Frame(MARGIN, BOTTOM, WIDTH, PAGE[1] - MARGIN - BOTTOM, id="body", **_NO_PADDING)
        template = BaseDocTemplate(
            buffer,
            pagesize=PAGE,
            pageTemplates=[PageTemplate(id="page", frames=[frame], onPageEnd=self._footer)],
            title=self.title,
            author=self.seller.name,
        )
        story = []
        for index, page in enumerate(self.pages):
            if index:
                story.append(PageBreak())
            story += page
        template.build(story)
        return buffer.getvalue()
