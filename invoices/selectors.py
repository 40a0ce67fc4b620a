"""Reads of invoices and customers."""

from collections.abc import Iterator

from .models import Customer, Invoice

# The columns of a billing record (the gateway's view of an invoice).
BILLING_RECORD_FIELDS = (
    "pk",
    "order_id",
    "number",
    "customer_id",
    "total",
    "currency",
    "description",
    "status",
    "created_at",
)


def customer_list(*, user):
    return Customer.objects.visible_to(user).order_by("name", "id")


def customer_get(*, user, pk: int) -> Customer | None:
    return customer_list(user=user).filter(pk=pk).first()


def invoice_list(*, user):
    """Invoices ``user`` may see, with what the invoice body shows: the customer,
    the lines and the payments (the payments app's reverse relation)."""
    return (
        Invoice.objects.visible_to(user)
        .select_related("customer")
        .prefetch_related("lines", "payments")
        .order_by("-id")
    )


def invoice_get(*, user, pk: int) -> Invoice | None:
    return invoice_list(user=user).filter(pk=pk).first()


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
    """Every invoice ``user`` may see as a billing record row (with its customer's
    ``customer__name`` and ``customer__account_number``), oldest first.

    Fetched in keyset batches so memory stays flat however many there are: the
    MySQL driver buffers a whole result set, so one big query would not. Each
    batch reads its customers in a second query rather than a join, which
    MariaDB would plan as a scan and sort of every invoice of the customer."""
    queryset = Invoice.objects.visible_to(user).order_by("pk")
    if status == "paid":
        queryset = queryset.paid()
    elif status == "unpaid":
        queryset = queryset.unpaid()
    queryset = queryset.values(*BILLING_RECORD_FIELDS)
    last_pk = 0
    while True:
        batch = list(queryset.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            return
        customers = Customer.objects.filter(pk__in={row["customer_id"] for row in batch})
        names = {
            pk: (name, account)
            for pk, name, account in customers.values_list("pk", "name", "account_number")
        }
        for row in batch:
            row["customer__name"], row["customer__account_number"] = names[row["customer_id"]]
            yield row
        if len(batch) < batch_size:
            return
        last_pk = batch[-1]["pk"]
