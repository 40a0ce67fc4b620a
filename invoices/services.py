"""Writes to customers and invoices. Every function is one transaction."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from billing_site.errors import ConflictError

from .models import Customer, Invoice, InvoiceLine
from .money import quantize


@dataclass(frozen=True)
class LineInput:
    description: str
    unit_price: Decimal
    quantity: Decimal = Decimal("1")
    tax_rate: Decimal = Decimal("0")


def line_amounts(line: LineInput, currency: str) -> tuple[Decimal, Decimal, Decimal]:
    """(subtotal, tax, total) of one line, each rounded to the currency."""
    subtotal = quantize(line.quantity * line.unit_price, currency)
    tax = quantize(subtotal * line.tax_rate / 100, currency)
    return subtotal, tax, subtotal + tax


def customer_snapshot(customer: Customer) -> dict:
    """What the invoice keeps of its customer as they were when it was issued."""
    return {
        "id": customer.pk,
        "name": customer.name,
        "email": customer.email,
        "account_number": customer.account_number,
        "tax_number": customer.tax_number,
        "address": {
            "street": customer.street,
            "city": customer.city,
            "state": customer.state,
            "zip": customer.zip,
            "country": customer.country,
        },
    }


@transaction.atomic
def customer_create(*, name: str, account_number: str, **fields) -> Customer:
    customer = Customer(name=name, account_number=account_number, **fields)
    customer.full_clean()
    customer.save()
    return customer


@transaction.atomic
def invoice_create(
    *,
    customer: Customer,
    number: str,
    currency: str,
    lines: list[LineInput],
    order_id: str = "",
    issue_date: datetime.date | None = None,
    due_date: datetime.date | None = None,
    period_from: datetime.date | None = None,
    period_to: datetime.date | None = None,
    description: str = "",
    issue: bool = False,
) -> Invoice:
    """A draft invoice with its lines and totals; issued at once with ``issue=True``."""
    invoice = Invoice(
        customer=customer,
        number=number,
        order_id=order_id,
        currency=currency,
        issue_date=issue_date,
        due_date=due_date,
        period_from=period_from,
        period_to=period_to,
        description=description,
    )
    line_rows = []
    for position, line in enumerate(lines):
        subtotal, tax, total = line_amounts(line, currency)
        line_rows.append(
            InvoiceLine(
                position=position,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                subtotal=subtotal,
                tax=tax,
                total=total,
            )
        )
    invoice.subtotal = sum((row.subtotal for row in line_rows), Decimal("0"))
    invoice.tax = sum((row.tax for row in line_rows), Decimal("0"))
    invoice.total = invoice.subtotal + invoice.tax
    invoice.full_clean()
    invoice.save()
    for row in line_rows:
        row.invoice = invoice
    InvoiceLine.objects.bulk_create(line_rows)
    if issue:
        invoice = invoice_issue(invoice=invoice)
    return invoice


@transaction.atomic
def invoice_issue(*, invoice: Invoice) -> Invoice:
    """``draft -> open``: freezes the customer snapshot and the issue date."""
    invoice = Invoice.objects.select_for_update().select_related("customer").get(pk=invoice.pk)
    if invoice.status != Invoice.Status.DRAFT:
        raise ConflictError(f"Only a draft invoice can be issued; this one is {invoice.status}.")
    invoice.status = Invoice.Status.OPEN
    invoice.issued_at = timezone.now()
    invoice.issue_date = invoice.issue_date or timezone.localdate()
    invoice.customer_snapshot = customer_snapshot(invoice.customer)
    invoice.save(
        update_fields=["status", "issued_at", "issue_date", "customer_snapshot", "updated_at"]
    )
    return invoice
