"""The receipt PDF, drawn with ReportLab from the invoice body of the API."""

import io
from decimal import Decimal
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from billing_site.api.renderers import BinaryRenderer


def _grid(first_number_column: int) -> TableStyle:
    """A table with a header row, numbers right-aligned from the given column on."""
    return TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (first_number_column, 1), (-1, -1), "RIGHT"),
        ]
    )


_PLAIN = TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])


def _text(value, style):
    return Paragraph(escape(str(value or "")).replace("\n", "<br/>"), style)


def _percent(rate: str) -> str:
    return f"{Decimal(rate).normalize():f}"


def _address(party: dict) -> str:
    address = party.get("address") or {}
    lines = [
        party.get("name", ""),
        address.get("street", ""),
        " ".join(filter(None, [address.get("zip"), address.get("city"), address.get("state")])),
        address.get("country", ""),
        party.get("email", ""),
        f"Tax number: {party['tax_number']}" if party.get("tax_number") else "",
    ]
    return "\n".join(line for line in lines if line)


class ReceiptPDFRenderer(BinaryRenderer):
    media_type = "application/pdf"
    format = "pdf"

    def render_document(self, invoice: dict, renderer_context) -> bytes:
        styles = getSampleStyleSheet()
        body, small = styles["BodyText"], styles["Normal"]
        currency = invoice["currency"]
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
            title=f"Invoice {invoice['number']}",
            author=settings.BILLING_SELLER_NAME,
        )
        seller = f"{settings.BILLING_SELLER_NAME}\n{settings.BILLING_SELLER_ADDRESS}"
        story = [
            _text(f"Invoice {invoice['number']}", styles["Title"]),
            Table(
                [
                    [_text("From", styles["Heading4"]), _text("Bill to", styles["Heading4"])],
                    [_text(seller, body), _text(_address(invoice["customer"]), body)],
                ],
                colWidths=[87 * mm, 87 * mm],
                style=_PLAIN,
            ),
            Spacer(1, 4 * mm),
            Table(
                [
                    ["Invoice number", invoice["number"], "Status", invoice["status"]],
                    ["Issue date", invoice["date"] or "", "Due date", invoice["due_date"] or ""],
                    [
                        "Order",
                        invoice["order_id"],
                        "Period",
                        " to ".join(filter(None, [invoice["period_from"], invoice["period_to"]])),
                    ],
                ],
                colWidths=[30 * mm, 57 * mm, 30 * mm, 57 * mm],
                style=_PLAIN,
            ),
            Spacer(1, 6 * mm),
        ]
        lines = [["Description", "Quantity", "Unit price", "Tax %", f"Total ({currency})"]]
        lines += [
            [
                _text(line["description"], small),
                line["quantity"],
                line["price"],
                _percent(line["tax_rate"]),
                line["total"],
            ]
            for line in invoice["line_items"]
        ]
        story.append(
            Table(
                lines,
                colWidths=[78 * mm, 22 * mm, 26 * mm, 18 * mm, 30 * mm],
                repeatRows=1,
                style=_grid(1),
            )
        )
        story.append(Spacer(1, 4 * mm))
        totals = [
            ["Subtotal", invoice["subtotal"]],
            ["Tax", invoice["tax"]],
            [f"Total ({currency})", invoice["total"]],
            ["Paid", invoice["amount_paid"]],
            [f"Balance due ({currency})", invoice["balance"]],
        ]
        story.append(
            Table(
                totals,
                colWidths=[40 * mm, 30 * mm],
                hAlign="RIGHT",
                style=TableStyle(
                    [
                        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                        ("FONTNAME", (0, 2), (-1, 2), "Helvetica-Bold"),
                        ("FONTNAME", (0, 4), (-1, 4), "Helvetica-Bold"),
                        ("LINEABOVE", (0, 2), (-1, 2), 0.5, colors.black),
                    ]
                ),
            )
        )
        if invoice["payments"]:
            story += [Spacer(1, 6 * mm), _text("Payments", styles["Heading3"])]
            payments = [["Date", "Method", "Reference", f"Amount ({currency})"]]
            payments += [
                [
                    payment["date"][:19].replace("T", " "),
                    payment["method"],
                    payment["reference"] or "",
                    payment["amount"],
                ]
                for payment in invoice["payments"]
            ]
            story.append(
                Table(
                    payments,
                    colWidths=[45 * mm, 35 * mm, 64 * mm, 30 * mm],
                    repeatRows=1,
                    style=_grid(3),
                )
            )
        if invoice["description"]:
            story += [Spacer(1, 6 * mm), _text(invoice["description"], body)]
        document.build(story)
        return buffer.getvalue()
