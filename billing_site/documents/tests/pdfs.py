"""A PDF document read back the ways its readers read it: its text as pypdf and
poppler's ``pdftotext`` extract it, its lines as drawn (words left to right,
each as its glyphs), the characters each font draws, the fonts it embeds, and
its first page as an image (``pdftoppm``)."""

import io
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from billing_site.documents import fonts

# Lines in each script, and what a reader sees of them left to right: Arabic
# words in their letters' joined forms (initial, medial, final), the words and
# their letters right to left.
ARABIC = "أحمد رحمن"
ARABIC_DRAWN = "\ufee6\ufee4\ufea3\ufead \ufeaa\ufee4\ufea3\ufe83"
CHINESE = "北京市朝阳区"
JAPANESE = "請求書"
LATIN = "Café Zoë Ñandú"
MIXED = "Order 42 — أحمد رحمن — 北京 — Café"
MIXED_DRAWN = f"Order 42 — {ARABIC_DRAWN} — 北京 — Café"
SAMPLES = {ARABIC: ARABIC_DRAWN, CHINESE: CHINESE, JAPANESE: JAPANESE, LATIN: LATIN}


def fonts_installed() -> bool:
    folders = fonts.font_dirs()
    return all(
        any((folder / name).is_file() for folder in folders) for name in fonts.FILES.values()
    )


# Where the fonts or poppler are missing these tests are skipped, except on CI,
# whose set-up installs both: there a missing one fails them.
_CI = bool(os.environ.get("CI"))
needs_fonts = pytest.mark.skipif(
    not _CI and not fonts_installed(), reason="no PDF fonts here: scripts/fonts.sh installs them"
)
needs_poppler = pytest.mark.skipif(
    not _CI and not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
    reason="no poppler-utils (pdftotext, pdftoppm) here",
)

_BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def plain(text: str) -> str:
    """Extracted text by its letters: Arabic presentation forms as the letters they
    are (NFKC), without the bidi controls ``pdftotext`` marks runs with, words
    separated by one space."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_BIDI_CONTROLS).split())


def pypdf_lines(pdf: bytes) -> list[str]:
    """pypdf's text of every page, line by line (right-to-left runs in logical order)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return [plain(line) for page in pages for line in page.extract_text().splitlines()]


def pdftotext_lines(pdf: bytes) -> list[str]:
    """pdftotext's text, line by line (right-to-left runs in logical order)."""
    text = _poppler("pdftotext", "-enc", "UTF-8", "-", "-", pdf=pdf).decode()
    return [plain(line) for line in text.splitlines()]


def drawn_lines(pdf: bytes) -> list[str]:
    """Every line of the pages as a reader sees it: the words ``pdftotext -bbox``
    finds, left to right, each as the characters of its glyphs in drawing order."""
    xhtml = "{http://www.w3.org/1999/xhtml}"
    # poppler's own output about a document the test made
    tree = ElementTree.fromstring(_poppler("pdftotext", "-bbox", "-", "-", pdf=pdf))  # noqa: S314
    page_words = [
        sorted(
            (float(word.get("yMax")), float(word.get("xMin")), word.text)
            for word in page.iter(f"{xhtml}word")
        )
        for page in tree.iter(f"{xhtml}page")
    ]
    lines = []
    for words in page_words:
        rows: list[list[tuple]] = []
        for y_max, x_min, text in words:
            # CJK glyphs stand a fraction of a point higher than Latin ones on a line.
            if rows and y_max - rows[-1][0][0] < 2:
                rows[-1].append((y_max, x_min, text))
            else:
                rows.append([(y_max, x_min, text)])
        lines += [" ".join(text for _, _, text in sorted(row, key=lambda w: w[1])) for row in rows]
    return lines


def glyphless(pdf: bytes) -> list[tuple[str, str]]:
    """``(font, character)`` for every character drawn in a font that has no glyph
    for it: one not embedded, or an embedded document font without it in its
    character map (which draws .notdef, a box)."""
    fonts.register()
    cmaps = {}
    for name in fonts.FILES:
        font = pdfmetrics.getFont(name)
        if isinstance(font, TTFont):
            cmaps[font.face.name.decode()] = font.face.charToGlyph
    found = []

    def visit(text, cm, tm, font_dict, font_size):
        if font_dict is None:  # the line breaks pypdf reports
            return
        base_font = str(font_dict["/BaseFont"]).removeprefix("/").partition("+")[2]
        cmap = cmaps.get(base_font, {})
        # Spaces are pypdf's too, where it sees gaps between shows of text.
        found.extend(
            (base_font, char) for char in text if not char.isspace() and ord(char) not in cmap
        )

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return found


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Each font of the pages: whether its TrueType program is in the file (FontFile2)."""
    result = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            result[str(font["/BaseFont"])] = bool(
                descriptor is not None and "/FontFile2" in descriptor.get_object()
            )
    return result


def first_page_image(pdf: bytes, folder: Path) -> Image.Image:
    """The first page as ``pdftoppm -png -r 80`` draws it (kept as page-1.png)."""
    _poppler(
        "pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-", str(folder / "page"), pdf=pdf
    )
    return Image.open(next(folder.glob("page*.png"))).convert("L")


def ink(image: Image.Image, box: tuple[int, int, int, int] | None = None) -> int:
    """How many pixels of ``image`` (or of its ``box``) are dark."""
    region = image.crop(box) if box else image
    return sum(region.histogram()[:128])


def _poppler(*command: str, pdf: bytes) -> bytes:
    return subprocess.run(command, input=pdf, capture_output=True, check=True, timeout=60).stdout
