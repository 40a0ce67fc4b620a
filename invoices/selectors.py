"""Reads of invoices and customers."""

from collections.abc import Iterator

from .models import Invoice

# The columns of a billing record (the gateway's view of an invoice).
BILLING_RECORD_FIELDS = (
    "pk",
    "order_id",
    "number",
    "customer__account_number",
    "customer__name",
    "total",
    "currency",
    "description",
    "status",
    "created_at",
)


def invoice_get_by_reference(*, user, order_id: str, number: str) -> Invoice | None:
    """The invoice with this external order id and billing number, if ``user`` may see it."""
    return (
        Invoice.objects.visible_to(user)
        .select_related("customer")
        .filter(order_id=order_id, number=number)
        .first()
    )


def billing_record_rows(
    *, user, status: str | None = None, batch_size: int = 2000
) -> Iterator[dict]:
    """Every invoice ``user`` may see as a billing record row, oldest first.

    Fetched in keyset batches so memory stays flat however many there are: the
    MySQL driver buffers a whole result set, so one big query would not."""
    queryset = Invoice.objects.visible_to(user).order_by("pk")
    if status == "paid":
        queryset = queryset.paid()
    elif status == "unpaid":
        queryset = queryset.unpaid()
    queryset = queryset.values(*BILLING_RECORD_FIELDS)
    last_pk = 0
    while True:
        batch = list(queryset.filter(pk__gt=last_pk)[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        last_pk = batch[-1]["pk"]
