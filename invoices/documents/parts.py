"""What the invoice and its receipts (and credit notes) share: the heading they
present the invoice under, the customer as billed, the status in words, the
table of lines."""

from dataclasses import dataclass

from billing_site.documents import formatting
from billing_site.documents.layout import DRAFT, PAID, VOID, Column, Mark, items
from billing_site.documents.seller import Seller, seller_from_settings

from ..models import Invoice


@dataclass(frozen=True)
class Heading:
    """Which document the invoice is presented as: ``title`` and ``number``
    head it; ``facts`` name it among the document's facts; ``seller`` is who it
    is from. A bill is an invoice under its bill number and organisation;
    ``notes`` is false where the invoice's description is already among the facts
    (a bill's is its first reference); ``pay_url`` is where an open one is paid."""

    title: str
    number: str
    facts: tuple[tuple[str, str], ...]
    seller: Seller
    quantity_label: str = ""
    pay_url: str = ""
    notes: bool = True


def invoice_heading(invoice: Invoice) -> Heading:
    return Heading(
        title="Invoice",
        number=invoice.number,
        facts=(("Invoice number", invoice.number),),
        seller=seller_from_settings(),
    )


def customer_lines(invoice: Invoice) -> list[str]:
    """The customer as billed (frozen when the invoice was issued): name first."""
    customer = invoice.billed_customer
    address = customer.get("address") or {}
    country = address.get("country", "")
    lines = [
        customer.get("name", ""),
        address.get("street", ""),
        " ".join(filter(None, [address.get("zip"), address.get("city"), address.get("state")])),
        formatting.locale().territories.get(country, country),
        customer.get("email", ""),
    ]
    if customer.get("tax_number"):
        lines.append(f"Tax number: {customer['tax_number']}")
    if customer.get("account_number"):
        lines.append(f"Account: {customer['account_number']}")
    return [line for line in lines if line]


def order_facts(invoice: Invoice) -> list[tuple[str, str]]:
    """The order reference, unless it is only the invoice number again (the
    order reference of an invoice created without one)."""
    if invoice.order_id and invoice.order_id != invoice.number:
        return [("Order", invoice.order_id)]
    return []


def status_label(invoice: Invoice) -> str:
    return formatting.label(invoice.display_status, Invoice.Status.choices)


def invoice_mark(invoice: Invoice) -> Mark | None:
    return {Invoice.Status.PAID: PAID, Invoice.Status.VOID: VOID, Invoice.Status.DRAFT: DRAFT}.get(
        invoice.status
    )


def line_items(lines, currency: str, quantity: str = "Quantity"):
    """The table of a document's lines (an invoice's, a credit note's): each
    line's description, quantity, unit price, tax rate and amount before tax."""
    columns = [
        Column("Description", 0.41),
        Column(quantity, 0.14, numeric=True),
        Column("Unit price", 0.16, numeric=True),
        Column("Tax", 0.10, numeric=True),
        Column(f"Amount ({currency})", 0.19, numeric=True),
    ]
    rows = [
        [
            line.description,
            formatting.quantity(line.quantity),
            formatting.amount(line.unit_price, currency),
            formatting.percent(line.tax_rate),
            formatting.amount(line.subtotal, currency),
        ]
        for line in lines
    ]
    return items(columns, rows)
