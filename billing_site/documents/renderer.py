"""The DRF renderer of the business documents (``layout.Document``)."""

from billing_site.api.renderers import BinaryRenderer

from .layout import Document


class PDFRenderer(BinaryRenderer):
    """A view answers a ``layout.Document``; errors still go out as JSON."""

    media_type = "application/pdf"
    format = "pdf"

    def render_document(self, document: Document, renderer_context) -> bytes:
        return document.pdf()
