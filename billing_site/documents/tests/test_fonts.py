"""The document fonts: every script printed, in a font that has its glyphs,
embedded, and read back by pypdf, pdftotext and from the page's image."""

import io
import json
import os
import subprocess
import sys

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

from billing_site.documents import fonts
from billing_site.testing import ROOT

from .pdfs import (
    ARABIC,
    ARABIC_DRAWN,
    CHINESE,
    JAPANESE,
    LATIN,
    MIXED,
    MIXED_DRAWN,
    SAMPLES,
    drawn_lines,
    embedded_fonts,
    first_page_image,
    glyphless,
    ink,
    needs_fonts,
    needs_poppler,
    pdftotext_lines,
    plain,
    pypdf_lines,
)

MIXED_WORDS = ("Order 42", ARABIC, "北京", "Café")
FACES = {"DejaVuSans", "DejaVuSans-Bold", "DroidSansFallback"}


def canvas_pdf(lines: list[str], right_aligned: str = "") -> bytes:
    """``lines`` down the page with ``draw_string``, then ``right_aligned`` in bold
    against the right margin."""
    fonts.register()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, initialFontName=fonts.REGULAR)
    y = 800
    for line in lines:
        fonts.draw_string(pdf, 50, y, line, 14)
        y -= 24
    if right_aligned:
        fonts.draw_right_string(pdf, 545, y, right_aligned, 14, bold=True)
    pdf.save()
    return buffer.getvalue()


def assert_prints_every_script(pdf: bytes, drawn: list[str]):
    """The lines of ``SAMPLES`` and ``MIXED`` are on the page as ``drawn`` shows
    them, every reader reads them back, each glyph is its font's and every font
    is embedded."""
    assert [line for line in drawn_lines(pdf) if line] == drawn
    for lines in (pypdf_lines(pdf), pdftotext_lines(pdf)):
        for sample in SAMPLES:
            assert sample in lines, (sample, lines)
        mixed = [line for line in lines if "Order 42" in line]
        assert len(mixed) == 1 and all(word in mixed[0] for word in MIXED_WORDS), lines
    assert glyphless(pdf) == []
    embedded = embedded_fonts(pdf)
    assert {name.partition("+")[2] for name in embedded} == FACES
    assert all(embedded.values()), embedded


@needs_fonts
def test_the_fonts_are_the_installed_truetype_files():
    fonts.register()
    faces = {name: pdfmetrics.getFont(name) for name in fonts.FILES}
    assert all(isinstance(font, TTFont) for font in faces.values())
    assert {font.face.name.decode() for font in faces.values()} == FACES


@needs_fonts
def test_visual_joins_arabic_letters_and_orders_them_right_to_left():
    assert fonts.visual(ARABIC) == ARABIC_DRAWN
    assert plain(ARABIC_DRAWN[::-1]) == ARABIC  # the same letters, read right to left
    assert fonts.visual(MIXED) == MIXED_DRAWN
    # Brackets mirrored in the right-to-left run; the digits stay left to right.
    assert fonts.visual("(أحمد) 12") == "12 (\ufeaa\ufee4\ufea3\ufe83)"
    assert fonts.visual("لا") == "\ufefb"  # lam-alef, a ligature DejaVu Sans has
    # The word Allah is joined letter by letter: DejaVu Sans has no glyph for its ligature.
    assert fonts.visual("الله") == "\ufeea\ufee0\ufedf\ufe8d"
    assert fonts.visual(f"{ARABIC}\n{LATIN}") == f"{ARABIC_DRAWN}\n{LATIN}"
    assert fonts.visual("Picking (1)") == "Picking (1)"
    # In a line of a left-to-right template, the name is a right-to-left run.
    assert fonts.visual(f"{ARABIC} (id 3)", base_dir="L") == f"{ARABIC_DRAWN} (id 3)"


@needs_fonts
def test_runs_take_a_character_from_the_cjk_font_only_where_the_main_one_has_none():
    assert fonts.runs(fonts.visual(MIXED)) == [
        (fonts.REGULAR, f"Order 42 — {ARABIC_DRAWN} — "),
        (fonts.CJK, "北京"),
        (fonts.REGULAR, " — Café"),
    ]
    assert fonts.runs(JAPANESE, bold=True) == [(fonts.CJK, JAPANESE)]
    assert fonts.runs("Zoë", bold=True) == [(fonts.BOLD, "Zoë")]
    # A tab prints as a space; a letter neither font has (Devanagari) as U+FFFD.
    assert fonts.runs("a\tb\u0915") == [(fonts.REGULAR, "a b\ufffd")]


def test_markup_is_escaped_in_visual_order_with_cjk_in_its_font():
    assert fonts.markup(f"a<b> & {CHINESE[:2]}\n{ARABIC.split()[0]}") == (
        f'a&lt;b&gt; &amp; <font name="{fonts.CJK}">北京</font><br/>\ufeaa\ufee4\ufea3\ufe83'
    )


@needs_fonts
@needs_poppler
def test_a_canvas_prints_every_script(tmp_path):
    pdf = canvas_pdf([*SAMPLES, MIXED], right_aligned=ARABIC)
    assert_prints_every_script(pdf, [*SAMPLES.values(), MIXED_DRAWN, ARABIC_DRAWN])
    page = first_page_image(pdf, tmp_path)
    width, height = page.size  # A4 at 80 dpi, in pixels
    assert abs(width - 595.3 * 80 / 72) < 1 and abs(height - 841.9 * 80 / 72) < 1

    # Ink where the lines are: five from the left margin, then one from the right.
    def pixels(*points):
        return tuple(round(point * 80 / 72) for point in points)

    assert ink(page, pixels(50, 842 - 814, 300, 842 - 690)) > 1000
    assert ink(page, pixels(400, 842 - 694, 545, 842 - 676)) > 100
    assert ink(page, pixels(50, 842 - 694, 400, 842 - 676)) == 0


@needs_fonts
@needs_poppler
def test_paragraph_markup_prints_every_script():
    fonts.register()
    buffer = io.BytesIO()
    style = ParagraphStyle("body", fontName=fonts.REGULAR, fontSize=12, leading=16)
    paragraphs = [Paragraph(fonts.markup(line), style) for line in [*SAMPLES, MIXED]]
    SimpleDocTemplate(buffer, pagesize=A4, initialFontName=fonts.REGULAR).build(
        [*paragraphs, Paragraph(f"<b>{fonts.markup(ARABIC)}</b>", style)]
    )
    assert_prints_every_script(buffer.getvalue(), [*SAMPLES.values(), MIXED_DRAWN, ARABIC_DRAWN])


@needs_fonts
@needs_poppler
def test_the_checks_see_arabic_drawn_unshaped_unordered_or_as_boxes():
    """What the tests above hold the documents to fails for Arabic drawn the
    three wrong ways: letters unjoined, left to right, or in a font without them."""
    fonts.register()

    def drawn_with(font: str, text: str) -> bytes:
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=A4, initialFontName=fonts.REGULAR)
        pdf.setFont(font, 14)
        pdf.drawString(50, 800, text)
        pdf.save()
        return buffer.getvalue()

    unshaped = drawn_with(fonts.REGULAR, get_display(ARABIC))
    assert drawn_lines(unshaped)[0] == get_display(ARABIC) != ARABIC_DRAWN
    unordered = drawn_with(fonts.REGULAR, arabic_reshaper.reshape(ARABIC))
    assert drawn_lines(unordered)[0] == arabic_reshaper.reshape(ARABIC) != ARABIC_DRAWN
    assert ARABIC not in pypdf_lines(unordered) + pdftotext_lines(unordered)
    boxes = drawn_with("Helvetica", ARABIC_DRAWN)
    assert drawn_lines(boxes)[0] != ARABIC_DRAWN
    assert ARABIC not in pypdf_lines(boxes) + pdftotext_lines(boxes)
    assert len(glyphless(boxes)) == len(ARABIC_DRAWN.replace(" ", ""))


# A process of its own: the fonts are registered once per process.
_WITHOUT_FONTS = """
import io, json, logging, sys
from decimal import Decimal
import django
django.setup()
from django.conf import settings
folder, latin, chinese, arabic = sys.argv[1:]
settings.BILLING_FONT_DIRS = [folder]
warnings = []
handler = logging.Handler()
handler.emit = lambda record: warnings.append(record.getMessage())
logging.getLogger("billing_site.documents.fonts").addHandler(handler)
from reportlab.pdfgen import canvas
from billing_site.documents import fonts
from billing_site.documents.tests.pdfs import embedded_fonts, pypdf_lines
from reports.api.renderers import ReportPDFRenderer
fonts.register()
pages = []
for _ in range(2):
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, initialFontName=fonts.REGULAR)
    fonts.draw_string(pdf, 50, 800, latin, 14)
    fonts.draw_string(pdf, 50, 700, "Total 12.500 IQD", 14, bold=True)
    fonts.draw_string(pdf, 50, 600, chinese, 14)
    pdf.save()
    pages.append(buffer.getvalue())
cost = {"service_id": 1, "service_name": latin, "amount": Decimal("1.250")}
report = ReportPDFRenderer().render_document({
    "id": 7, "customer_id": 3, "customer_name": arabic, "start_date": "2023-01-01",
    "end_date": "2023-01-31", "created_at": "2023-02-01T00:00:00Z", "order_count": 1,
    "total_amount": Decimal("1.250"), "currency": "IQD",
    "service_totals": {"1": {"service_name": chinese, "amount": Decimal("1.250")}},
    "orders": [{"order_id": 1000, "reference_number": "REF-1", "order_date": "2023-01-02",
                "total_amount": Decimal("1.250"), "service_costs": [cost]}],
}, {})
print(json.dumps({
    "warnings": warnings,
    "fonts": sorted(embedded_fonts(pages[-1]).items()),
    "lines": pypdf_lines(pages[-1]),
    "report_fonts": sorted(embedded_fonts(report)),
    "report_lines": pypdf_lines(report),
}))
"""


def test_without_the_font_files_documents_print_in_fonts_readers_have(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_FONTS, str(tmp_path), LATIN, CHINESE, ARABIC],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "billing_site.settings.test"},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    [warning] = result["warnings"]  # once, however many documents
    assert "DejaVuSans.ttf, DejaVuSans-Bold.ttf, DroidSansFallbackFull.ttf" in warning
    assert str(tmp_path) in warning
    # Not embedded: the readers' own.
    assert result["fonts"] == [
        ["/Helvetica", False],
        ["/Helvetica-Bold", False],
        ["/STSong-Light", False],
    ]
    assert result["lines"] == [LATIN, "Total 12.500 IQD", CHINESE]
    # The report is served all the same, without its Arabic.
    assert {"/Helvetica", "/Helvetica-Bold", "/STSong-Light"} <= set(result["report_fonts"])
    assert f"{CHINESE} (service 1) 1.250" in result["report_lines"]
    assert f"1000 REF-1 2023-01-02 {LATIN} 1.250" in result["report_lines"]
    assert ARABIC not in "\n".join(result["report_lines"])
