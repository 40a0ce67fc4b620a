"""The fonts of the PDF documents and the text drawn with them.

``REGULAR`` and ``BOLD`` (DejaVu Sans: Latin, Greek, Cyrillic, Arabic) and
``CJK`` (Droid Sans Fallback: Chinese ideographs, Japanese kana) are the names
of the document fonts. ``register()`` makes them known to ReportLab (once per
process; call it before a canvas or a style takes their names), each from the
first folder of ``settings.BILLING_FONT_DIRS`` that holds its file
(``scripts/fonts.sh`` installs them into the venv). A missing file is
logged once and its name then stands for a font every PDF reader has
(Helvetica, Helvetica-Bold, STSong-Light), so documents are still served.

ReportLab draws a string's characters one after the other, left to right, each
as its font's glyph for it. So ``visual(text)`` is a line as it is drawn:
Arabic letters in their joined forms (arabic-reshaper), right-to-left runs
reversed (python-bidi); ``runs()`` splits a visual line into runs of one font,
a character going to ``CJK`` only when the main font has no glyph for it.
``markup(text)`` is a line as Paragraph markup; ``draw_string`` and
``string_width`` draw and measure one on a canvas; ``ascii_resource`` and
``show`` are the operators of a text object, for a writer that makes its own."""

import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
from arabic_reshaper.ligatures import LIGATURES
from arabic_reshaper.reshaper_config import default_config
from bidi.algorithm import get_display
from django.conf import settings
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

logger = logging.getLogger(__name__)

REGULAR = "DocumentSans"
BOLD = "DocumentSans-Bold"
CJK = "DocumentSansCJK"

FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", CJK: "DroidSansFallbackFull.ttf"}

# Code points of Windows-1252, Helvetica's encoding in a PDF.
_WIN_ANSI = frozenset(map(ord, bytes(range(32, 256)).decode("cp1252", errors="ignore")))
_ARABIC_FORMS = ("\ufb50", "\ufeff")  # Arabic Presentation Forms-A and -B
_REPLACEMENT = 0xFFFD
# Letters written right to left (Hebrew, Arabic, Syriac, Thaana, N'Ko ...) and the
# marks that open a right-to-left run: a line without any is drawn as it is.
_RIGHT_TO_LEFT = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\u200f\u202b\u202e\u2067"
    "\U00010800-\U00010fff\U0001e800-\U0001efff]"
)


class _EastAsian(Container[int]):
    """The characters STSong-Light is taken for: the wide ones."""

    def __contains__(self, code) -> bool:
        return unicodedata.east_asian_width(chr(code)) in ("W", "F")


@dataclass(frozen=True)
class _Fonts:
    glyphs: dict[str, Container[int]]  # font name -> the code points it has a glyph for
    reshaper: arabic_reshaper.ArabicReshaper


_fonts: _Fonts | None = None
_lock = threading.Lock()


def font_dirs() -> list[Path]:
    return [Path(folder) for folder in settings.BILLING_FONT_DIRS]


def register() -> None:
    """Makes the document fonts known to ReportLab (once per process)."""
    _loaded()


def _loaded() -> _Fonts:
    global _fonts
    if _fonts is None:
        with _lock:
            if _fonts is None:
                _fonts = _load()
    return _fonts


def _load() -> _Fonts:
    folders = font_dirs()
    glyphs, missing = {}, []
    for name, file in FILES.items():
        path = next((folder / file for folder in folders if (folder / file).is_file()), None)
        if path is None:
            missing.append(file)
            glyphs[name] = _register_stand_in(name)
        else:
            # ASCII keeps its own codes in the font's first subset: see ``ascii_resource``.
            font = TTFont(name, str(path), asciiReadable=True)
            pdfmetrics.registerFont(font)
            glyphs[name] = font.face.charToGlyph
    if missing:
        logger.warning(
            "PDF fonts %s not found in %s (scripts/fonts.sh installs them): documents print "
            "Helvetica and STSong-Light instead, without Arabic",
            ", ".join(missing),
            ", ".join(map(str, folders)),
        )
    # <b> in Paragraph markup picks the family's bold face.
    for normal, bold in ((REGULAR, BOLD), (CJK, CJK)):
        pdfmetrics.registerFontFamily(
            normal, normal=normal, bold=bold, italic=normal, boldItalic=bold
        )
    return _Fonts(glyphs, _reshaper_for(glyphs[REGULAR]))


def _register_stand_in(name: str) -> Container[int]:
    """Registers ``name`` as a font that PDF readers bring; returns what it covers."""
    if name == CJK:
        font = UnicodeCIDFont("STSong-Light")
        font.fontName = font.name = name
        covers = _EastAsian()
    else:
        face = "Helvetica-Bold" if name == BOLD else "Helvetica"
        font = pdfmetrics.Font(name, face, "WinAnsiEncoding")
        covers = _WIN_ANSI
    pdfmetrics.registerFont(font)
    return covers


def _reshaper_for(glyphs: Container[int]) -> arabic_reshaper.ArabicReshaper:
    """arabic-reshaper with only the ligatures the font has glyphs for (DejaVu Sans
    has lam-alef, but not the word Allah that the reshaper joins by default)."""
    available = {
        name
        for name, (_, forms) in LIGATURES
        if all(ord(char) in glyphs for form in forms for char in form)
    }
    configuration = {name: False for name, _ in LIGATURES if name not in available}
    # Asked for ligatures with none of them on, arabic-reshaper fails on every word.
    configuration["support_ligatures"] = any(default_config[name] for name in available)
    return arabic_reshaper.ArabicReshaper(configuration=configuration)


def visual(text: str, base_dir: str | None = None) -> str:
    """``text`` as drawn left to right, line by line: Arabic shaped, right-to-left
    runs reversed. ``base_dir`` ("L" or "R") sets the line's direction, which is
    otherwise that of its first letter."""
    if text.isascii() and base_dir != "R":
        return text
    return "\n".join(_visual_line(line, base_dir) for line in text.split("\n"))


@functools.lru_cache(maxsize=4096)  # a document repeats its names and services
def _visual_line(line: str, base_dir: str | None) -> str:
    if base_dir != "R" and not _RIGHT_TO_LEFT.search(line):
        return line  # nothing to join, and left to right as it is
    fonts = _loaded()
    shaped = fonts.reshaper.reshape(line)
    main = fonts.glyphs[REGULAR]
    # A joined form the font lacks (a few Urdu letters) is drawn as its letter, unjoined.
    shaped = "".join(
        _unjoined(char, main) if _ARABIC_FORMS[0] <= char <= _ARABIC_FORMS[1] else char
        for char in shaped
    )
    # python-bidi's own algorithm: its Rust one does not mirror brackets in
    # right-to-left runs, so "(name)" would come out as ")name(".
    return get_display(shaped, base_dir=base_dir)


def _unjoined(char: str, glyphs: Container[int]) -> str:
    if ord(char) in glyphs:
        return char
    letters = unicodedata.normalize("NFKC", char)
    return letters if all(ord(letter) in glyphs for letter in letters) else char


def runs(line: str, bold: bool = False) -> list[tuple[str, str]]:
    """``(font name, text)`` runs of a visual line, each character in the main font
    when it has a glyph for it, else in ``CJK`` when that has one. A character
    neither has is drawn as a space when it is one (a tab), else as U+FFFD."""
    fonts = _loaded()
    main = BOLD if bold else REGULAR
    if line.isascii() and line.isprintable():
        return [(main, line)] if line else []
    own, other = fonts.glyphs[main], fonts.glyphs[CJK]
    result: list[tuple[str, str]] = []
    for char in line:
        code = ord(char)
        if code in own:
            font = main
        elif code in other:
            font = CJK
        else:
            font = main
            if char.isspace():
                char = " "
            elif _REPLACEMENT in own:
                char = chr(_REPLACEMENT)
        if result and result[-1][0] == font:
            result[-1] = (font, result[-1][1] + char)
        else:
            result.append((font, char))
    return result


def markup(text: str) -> str:
    """``text`` as Paragraph markup: escaped, in visual order, the characters only
    ``CJK`` has in a ``<font>`` of it, newlines as ``<br/>``. A paragraph that
    wraps a right-to-left line breaks it in visual order, so its lines read
    bottom up: keep such text short enough for one line."""
    return "<br/>".join(
        "".join(
            escape(part) if font != CJK else f'<font name="{CJK}">{escape(part)}</font>'
            for font, part in runs(line)
        )
        for line in visual(text).split("\n")
    )


@functools.lru_cache(maxsize=8192)
def _layout(text: str, bold: bool, base_dir: str | None) -> tuple[tuple[str, str], ...]:
    """The runs of a line of ``text`` as drawn."""
    return tuple(runs(visual(text, base_dir), bold))


def string_width(text: str, size: float, bold: bool = False, base_dir: str | None = None) -> float:
    """The width of a line of ``text`` drawn by ``draw_string``."""
    return sum(
        pdfmetrics.stringWidth(part, font, size) for font, part in _layout(text, bold, base_dir)
    )


def draw_string(
    canvas, x: float, y: float, text: str, size: float, bold: bool = False, base_dir=None
) -> None:
    """One line of ``text`` with its left end at (x, y), each run in its font (the
    canvas's own font is left as it was). ``base_dir``: see ``visual``."""
    text_object = canvas.beginText(x, y)
    for font, part in _layout(text, bold, base_dir):
        text_object.setFont(font, size)
        text_object.textOut(part)
    canvas.drawText(text_object)


def draw_right_string(
    canvas, x: float, y: float, text: str, size: float, bold: bool = False, base_dir=None
) -> None:
    """One line of ``text`` with its right end at (x, y)."""
    width = string_width(text, size, bold, base_dir)
    draw_string(canvas, x - width, y, text, size, bold, base_dir)


def ascii_resource(canvas, bold: bool = False) -> str:
    """The font resource (``/F1+0``) under which printable ASCII is drawn as its
    own bytes, ``(text) Tj``, in a text object of one's own: the first subset of
    a TrueType font loaded ASCII-readable (Helvetica's WinAnsi for a stand-in).
    Marks the font used in the canvas's document, so that it is embedded."""
    font = pdfmetrics.getFont(BOLD if bold else REGULAR)
    doc = canvas._doc
    if not font._dynamicFont:
        return doc.getInternalFontName(font.fontName)
    font._assignState(doc)
    return font.getSubsetInternalName(0, doc)


def show(canvas, text: str, size: float, bold: bool = False, base_dir: str | None = None) -> str:
    """The operators that draw a line of ``text`` from the current point of a text
    object, each run in its font. The font they leave selected is not the one
    before them. They stay the same for the canvas's document: a writer may keep
    them for the lines it draws again."""
    doc, size_op, operators = canvas._doc, fp_str(size), []
    for name, part in _layout(text, bold, base_dir):
        font = pdfmetrics.getFont(name)
        if font._dynamicFont:  # a TrueType font: subsets of up to 256 glyphs
            for subset, codes in font.splitString(part, doc):
                resource = font.getSubsetInternalName(subset, doc)
                operators.append(f"{resource} {size_op} Tf ({escapePDF(codes)}) Tj")
        elif isinstance(font, UnicodeCIDFont):
            resource = doc.getInternalFontName(name)
            operators.append(f"{resource} {size_op} Tf ({font.formatForPdf(part)}) Tj")
        else:  # Helvetica: what it cannot encode comes from ReportLab's substitutes
            for face, codes in pdfmetrics.unicode2T1(part, [font, *font.substitutionFonts]):
                resource = doc.getInternalFontName(face.fontName)
                operators.append(f"{resource} {size_op} Tf ({escapePDF(codes)}) Tj")
    return " ".join(operators)
