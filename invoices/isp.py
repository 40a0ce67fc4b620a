"""The ISP invoice-details shapes (document 002): strings everywhere, dates as
``YYYY-MM-DD`` and times as ``YYYY-MM-DD HH:MM:SS`` in the service's time zone."""

import datetime

from django.conf import settings
from django.utils import timezone

from billing_site.money import format_amount

from .models import Invoice, client_status

# status_id of the ISP's Invoice object.
STATUS_IDS = {"draft": "1", "open": "2", "partially_paid": "3", "paid": "4", "void": "5"}
ISP_STATUSES = ("paid", "unpaid", "all")


def local_time(value: datetime.datetime | None, *, offset: bool = False) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return (
        local.isoformat(sep=" ", timespec="seconds")
        if offset
        else local.strftime("%Y-%m-%d %H:%M:%S")
    )


def iso_date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def invoice_details(invoice: Invoice) -> dict:
    """``get_invoice_details``: one invoice with its lines (and tax) as strings."""
    details: list = [""]
    for line in invoice.lines.all():
        details.append(
            {
                "amount": format_amount(line.subtotal, invoice.currency),
                "description": line.description,
            }
        )
    if invoice.tax:
        details.append(
            {"amount": format_amount(invoice.tax, invoice.currency), "description": "Tax"}
        )
    customer = invoice.billed_customer
    return {
        "invoiceNumber": invoice.number,
        "amount": format_amount(invoice.total, invoice.currency),
        "balance": format_amount(invoice.balance, invoice.currency),
        "description": invoice.description,
        "billGeneratedDate": local_time(invoice.issued_at or invoice.created_at, offset=True),
        "detailsOfInvoice": details,
        "name": customer["name"],
        "user_id": str(invoice.customer_id),
        "circuit_id": customer["account_number"],
        "billingPeriodFrom": iso_date(invoice.period_from),
        "billingPeriodTo": iso_date(invoice.period_to),
        "billingDueDate": iso_date(invoice.due_date),
        "status": invoice.display_status,
    }


def contact_and_invoice(row: dict, customer: dict) -> dict:
    """``get_all_invoices``: one invoice row with its customer's contact, with the
    document's placeholders where the customer has no such data."""
    status = client_status(row["status"], row["amount_paid"])
    created = local_time(customer["created_at"])
    return {
        "Contact": {
            "user_id": str(customer["pk"]),
            "person_title": customer["account_number"],
            "status": customer["status"],
            "group_name": "",
            "first_name": customer["first_name"],
            "last_name": customer["last_name"] or "Customer",
            "email": customer["email"] or settings.ISP_PLACEHOLDER_EMAIL,
            "phone_phone_number": customer["phone"] or "9999999999",
            "street_addres1": customer["street"] or "123 Anywhere St",
            "street_addres2": ", ".join(
                part for part in (customer["city"], customer["state"], customer["zip"]) if part
            ),
            "account_id": customer["account_number"],
            "create_datetime": created,
            "user_created": created,
            "gst_number": customer["tax_number"] or None,
            "gst_start_date": None,
            "deleted": "0",
            "profile_name": "",
        },
        "Invoice": {
            "id": str(row["pk"]),
            "public_number": row["number"],
            "balance": format_amount(row["total"] - row["amount_paid"], row["currency"]),
            "total": format_amount(row["total"], row["currency"]),
            "status_id": STATUS_IDS[status],
            "create_timestamp": local_time(row["issued_at"] or row["created_at"]),
            "package_name": row["description"],
        },
    }


CONTACT_FIELDS = (
    "account_number",
    "status",
    "first_name",
    "last_name",
    "email",
    "phone",
    "street",
    "city",
    "state",
    "zip",
    "tax_number",
    "created_at",
)
INVOICE_FIELDS = (
    "number",
    "total",
    "amount_paid",
    "currency",
    "status",
    "issued_at",
    "created_at",
    "description",
)
