"""What a PDF answer says, for tests: each page's text with its runs of
whitespace made one space, as a reader sees it."""

import io

from pypdf import PdfReader


def pdf_pages(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def pdf_text(response) -> str:
    return " ".join(pdf_pages(response))


def pdf_images(response) -> int:
    reader = PdfReader(io.BytesIO(response.content))
    return sum(len(page.images) for page in reader.pages)
