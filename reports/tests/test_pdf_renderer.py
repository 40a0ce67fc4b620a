"""The PDF document drawn from a report detail, without the database."""

import io
from decimal import Decimal

from pypdf import PdfReader

from billing_site.documents.tests.pdfs import embedded_fonts, glyphless, needs_fonts
from reports.api.renderers import ReportPDFRenderer

NAMES = ("Picking", "Straße (Zürich) €", "back\\slash ) (", "ctrl\tchar")


def body(orders: int) -> dict:
    return {
        "id": 7,
        "customer_id": 3,
        "customer_name": "ACME (Corp)",
        "start_date": "2023-01-01",
        "end_date": "2023-12-31",
        "created_at": "2024-01-01T00:00:00Z",
        "total_amount": Decimal("4501.06"),
        "order_count": orders,
        "currency": "USD",
        "service_totals": {"1": {"service_name": "Picking", "amount": Decimal("4501.06")}},
        "orders": [
            {
                "order_id": 1000 + index,
                "reference_number": f"REF-{index:05d}",
                "order_date": "2023-01-02",
                "total_amount": Decimal("1.00"),
                "service_costs": [
                    {
                        "service_id": 1,
                        "service_name": NAMES[index % len(NAMES)],
                        "amount": Decimal(f"{index}.25"),
                    }
                ],
            }
            for index in range(orders)
        ],
    }


def words(page) -> str:
    return " ".join(page.extract_text().split())


def test_pdf_rows_pages_and_fonts():
    pages = PdfReader(io.BytesIO(ReportPDFRenderer().render_document(body(120), {}))).pages
    assert len(pages) == 3
    first, last = words(pages[0]), words(pages[-1])
    for expected in (
        "Billing report 7",
        "Customer: ACME (Corp) (id 3)",
        "Picking (service 1) 4501.06",
        "Grand total 4501.06 USD",
        "Order Reference Date Service Amount",
        "1000 REF-00000 2023-01-02 Picking 0.25",
        "1001 REF-00001 2023-01-02 Straße (Zürich) € 1.25",
        "1002 REF-00002 2023-01-02 back\\slash ) ( 2.25",
        "Page 1",
    ):
        assert expected in first, expected
    # Every page starts the table again and is numbered; the last one ends with the total.
    assert all(words(page).startswith("Order Reference Date Service Amount") for page in pages[1:])
    assert "1119 REF-00119 2023-01-02 ctrl" in last
    assert last.endswith("Grand total 4501.06 USD Page 3")


@needs_fonts
def test_pdf_draws_in_the_embedded_document_fonts():
    pdf = ReportPDFRenderer().render_document(body(120), {})
    embedded = embedded_fonts(pdf)
    # One subset of each, ASCII and the few other letters; no Helvetica, nor the
    # ZapfDingbats that drew the tab before.
    assert embedded == {"/AAAAAA+DejaVuSans": True, "/AAAAAA+DejaVuSans-Bold": True}
    assert glyphless(pdf) == []
    assert "1119 REF-00119 2023-01-02 ctrl char 119.25" in " ".join(
        PdfReader(io.BytesIO(pdf)).pages[-1].extract_text().split()
    )
