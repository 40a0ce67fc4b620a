"""Reads of the ISP face: issued invoices only (the face never shows drafts)."""

import datetime
from collections.abc import Iterator

from billing_site.api.batches import keyset_batches, keyset_rows
from invoices.models import Customer, Invoice, billing_today, client_status

# What a row of ``invoices_with_contacts`` reads of an invoice and of its
# customer: the columns the Invoice and Contact shapes show.
INVOICE_COLUMNS = (
    "number",
    "total",
    "amount_paid",
    "amount_credited",
    "currency",
    "status",
    "issued_at",
    "created_at",
    "description",
)
CONTACT_COLUMNS = (
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


def _issued(user):
    """The invoices ``user`` may see that were issued: the ISP face never shows a draft."""
    return Invoice.objects.visible_to(user).exclude(status=Invoice.Status.DRAFT)


def isp_invoice_list(
    *,
    user,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    status: str = "all",
    customer_id: int | None = None,
):
    """Issued invoices ``user`` may see, by issue date (each bound inclusive and
    optional) and ``paid``/``unpaid``/``all``/``overdue`` (unpaid and due before
    today), of one customer or all. A voided
    invoice is in none of these lists (its details are still read by its id)."""
    queryset = _issued(user).exclude(status=Invoice.Status.VOID)
    if date_from:
        queryset = queryset.filter(issue_date__gte=date_from)
    if date_to:
        queryset = queryset.filter(issue_date__lte=date_to)
    if status == "paid":
        queryset = queryset.paid()
    elif status == "unpaid":
        queryset = queryset.unpaid()
    elif status == "overdue":
        queryset = queryset.overdue(billing_today())
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    return queryset


def isp_invoice_get(*, user, pk: int, customer_id: int | None = None) -> Invoice | None:
    """One issued invoice (of ``customer_id``, when given) with what its details
    show: customer and lines."""
    queryset = _issued(user)
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    return (
        queryset.filter(pk=pk)
        .select_related("customer", "frozen_customer")
        .prefetch_related("lines")
        .first()
    )


def invoice_ids(queryset, batch_size: int = 10_000) -> Iterator[int]:
    """Every id of ``queryset`` ascending, read in keyset batches."""
    return keyset_rows(queryset.values_list("pk", flat=True), batch_size=batch_size)


def invoices_with_contacts(queryset, batch_size: int = 2000) -> Iterator[dict]:
    """``{"invoice": row, "contact": row}`` for every invoice of ``queryset`` by
    ascending id: the invoice's ``INVOICE_COLUMNS`` with the ``balance`` and
    ``display_status`` an ``Invoice`` answers, and its customer's
    ``CONTACT_COLUMNS``. Read in keyset batches so memory stays flat however many
    there are (the MySQL driver buffers a whole result set, so one big query
    would not); each batch reads its customers in a second query rather than a
    join, which MariaDB would plan as a scan and sort of every invoice of a
    customer."""
    queryset = queryset.values("pk", "customer_id", *INVOICE_COLUMNS)
    for batch in keyset_batches(queryset, batch_size=batch_size):
        customers = Customer.objects.filter(pk__in={row["customer_id"] for row in batch})
        by_pk = {row["pk"]: row for row in customers.values("pk", *CONTACT_COLUMNS)}
        for row in batch:
            row["balance"] = row["total"] - row["amount_paid"] - row["amount_credited"]
            row["display_status"] = client_status(row["status"], row["amount_paid"])
            yield {"invoice": row, "contact": by_pk[row["customer_id"]]}
