"""Reading a sent email in tests: its PDF attachment and the attachment's text."""

import io
from email.message import Message

from pypdf import PdfReader


def pdf_pages(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def locmem_pdf(message) -> tuple[str, list[str]]:
    """The one attachment of a locmem ``EmailMessage``: its name and pages' text."""
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf"
    return filename, pdf_pages(content)


def parsed_pdf(message: Message) -> tuple[str, list[str]]:
    """The one PDF part of a received message: its name and pages' text."""
    [part] = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
    return part.get_filename(), pdf_pages(part.get_payload(decode=True))
