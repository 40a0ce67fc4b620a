"""Writes of the bills app: collections, bills, and the payment notifications
that pay them."""

import datetime
import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from billing_site.errors import BillingError, ConflictError, NotFoundError
from billing_site.money import MoneyError, parse_amount
from invoices.models import Customer, Invoice
from invoices.selectors import customer_list, restricted_to_customers
from invoices.services import (
    LineInput,
    customer_create,
    invoice_amend_terms,
    invoice_create,
    invoice_line_inputs,
    invoice_void,
)
from payments.models import Payment
from payments.services import DuplicatePaymentError, payment_record

from . import recurrence
from .events import bill_event
from .models import Bill, Collection, Product, ProductCollection

BILL_NO_ALPHABET = string.ascii_letters + string.digits
SUCCESS_STATUSES = {"paid", "success", "successful", "completed"}


class SignatureError(BillingError):
    status_code = 401


class BillInputError(BillingError):
    status_code = 422


class RecurrenceError(BillInputError):
    """A recurrence refused, naming the input ``field`` that is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.detail = field, message


@transaction.atomic
def collection_create(*, code: str, title: str, **fields) -> Collection:
    collection = Collection(code=code, title=title, **fields)
    collection.full_clean()
    collection.save()
    return collection


def _bill_customer(data: dict, user) -> Customer:
    """The customer with this account number, created on its first bill. A user
    acting for particular customers bills only those; without a user (an
    operator, the demo data) any customer may be billed."""
    existing = Customer.objects.filter(account_number=data["acc_no"]).first()
    if (
        user is not None
        and restricted_to_customers(user)
        and (existing is None or not customer_list(user=user).filter(pk=existing.pk).exists())
    ):
        raise BillInputError(f"customer.acc_no: no customer {data['acc_no']} of yours.")
    if existing is not None:
        return existing
    name = " ".join(part for part in (data.get("first_name"), data.get("last_name")) if part)
    try:
        with transaction.atomic():
            return _create_bill_customer(data, name)
    except ConflictError:  # created meanwhile by a concurrent bill
        return Customer.objects.get(account_number=data["acc_no"])


def _create_bill_customer(data: dict, name: str) -> Customer:
    return customer_create(
        name=name or data["acc_no"],
        account_number=data["acc_no"],
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
        street=data.get("address", ""),
        email=data.get("email", ""),
        phone=data.get("mobile", ""),
    )


def _products(items: list[dict], currency: str) -> list[Product]:
    """The catalogue product matching each item (the oldest of equal ones), those
    missing created together: a few queries however many items there are. The
    client's own product and organization ids are part of what makes a product
    the same one, so each client gets its references back."""

    keys = [_item_key(item) for item in items]
    found = {}
    candidates = Product.objects.filter(currency=currency, title__in={k[0] for k in keys})
    for product in candidates.order_by("-id"):  # the oldest written last, so kept
        found[_product_key(product)] = product
    missing = {}
    for item, item_key in zip(items, keys, strict=True):
        if item_key not in found and item_key not in missing:
            missing[item_key] = Product(
                title=item["title"],
                price=item["price"],
                code=item.get("code", ""),
                currency=currency,
                description=item.get("description", ""),
                client_product_id=item.get("id"),
                client_organization_id=item.get("organization_id"),
            )
    for product in missing.values():
        product.full_clean()
    created = Product.objects.bulk_create(missing.values())
    if any(product.pk is None for product in created):  # no RETURNING on this database
        newest = candidates.filter(pk__gt=max((p.pk for p in found.values()), default=0))
        created = list(newest.order_by("id"))
    for product in created:
        found.setdefault(_product_key(product), product)
    return [found[item_key] for item_key in keys]


def _item_key(item: dict) -> tuple:
    """What makes an item of a bill the catalogue product of this ``_product_key``."""
    return (
        item["title"],
        item["price"],
        item.get("code", ""),
        item.get("id"),
        item.get("organization_id"),
    )


def _product_key(product: Product) -> tuple:
    return (
        product.title,
        product.price,
        product.code,
        product.client_product_id,
        product.client_organization_id,
    )


def _new_bill_no() -> str:
    while True:
        bill_no = "".join(secrets.choice(BILL_NO_ALPHABET) for _ in range(8))
        if not Bill.objects.filter(bill_no=bill_no).exists():
            return bill_no


def _bill_save(**fields) -> Bill:
    """The bill row under a new random bill number; a number drawn by a concurrent
    bill is drawn again, any other conflict (a period already billed) raised."""
    while True:
        bill_no = _new_bill_no()
        try:
            with transaction.atomic():
                return Bill.objects.create(bill_no=bill_no, **fields)
        except IntegrityError:
            if Bill.objects.filter(bill_no=bill_no).exists():  # drawn concurrently: again
                continue
            raise


def recurrence_check(
    *, recurring: int | None, recurring_end_date: datetime.date | None, start: datetime.date
) -> datetime.date | None:
    """The date of the first bill after the master of a series starting on
    ``start``, or None for a bill that does not recur; refuses an end date
    without a recurrence, or one before the series' first bill."""
    if recurring is None:
        if recurring_end_date is not None:
            raise RecurrenceError("recurring_end_date", "Only a recurring bill has an end date.")
        return None
    if recurring not in Bill.Recurring.values:
        raise RecurrenceError("recurring", f"{recurring!r} is not an interval.")
    first = recurrence.next_date(start, recurring, start)
    if recurring_end_date is not None and recurring_end_date < first:
        raise RecurrenceError(
            "recurring_end_date",
            f"Must be on or after {first:%Y-%m-%d}, the date of the series' next bill.",
        )
    return first


@transaction.atomic
def bill_create(
    *,
    collection: Collection,
    due: datetime.date,
    ref1: str,
    ref2: str,
    currency: str,
    customer: dict,
    products: list[dict],
    type: int = Bill.Type.OPERATOR,
    api_redirect: bool = False,
    quantity_label: str = "",
    created_by=None,
    recurring: int | None = None,
    recurring_end_date: datetime.date | None = None,
) -> Bill:
    """An open invoice for the customer with one line per product, presented as
    a bill of the collection under a new random bill number. A bill with a
    fractional quantity is metric (its quantities are measures). A bill with a
    ``recurring`` interval is the master of a series: its first bill, whose next
    ones ``bill_issue_recurring`` issues from ``rbill_date`` on."""
    today = timezone.localdate()
    first = recurrence_check(
        recurring=recurring, recurring_end_date=recurring_end_date, start=today
    )
    items = list(
        zip(_products(products, currency), [item["quantity"] for item in products], strict=True)
    )
    invoice = invoice_create(
        customer=_bill_customer(customer, created_by),
        currency=currency,
        lines=[
            LineInput(description=product.title, unit_price=product.price, quantity=quantity)
            for product, quantity in items
        ],
        issue_date=today,
        due_date=due,
        period_from=today if first else None,
        period_to=first - datetime.timedelta(days=1) if first else None,
        description=ref1,
        issue=True,
    )
    bill = _bill_save(
        invoice=invoice,
        collection=collection,
        ref1=ref1,
        ref2=ref2,
        type=type,
        api_redirect=api_redirect,
        quantity_label=quantity_label,
        is_metric=any(q != q.to_integral_value() for _, q in items),
        created_by=created_by,
        recurring=recurring,
        recurring_end_date=recurring_end_date if first else None,
        rbill_date=first,
    )
    ProductCollection.objects.bulk_create(
        ProductCollection(bill=bill, product=product, quantity=quantity)
        for product, quantity in items
    )
    bill_event("bill.created", bill)
    return bill


@transaction.atomic
def bill_update(
    *,
    bill: Bill,
    due: datetime.date | None = None,
    ref1: str | None = None,
    ref2: str | None = None,
    currency: str | None = None,
    cancel: bool = False,
) -> Bill:
    """Change a bill's terms, or cancel it (void its invoice) while nothing is paid.
    Cancelling a master also ends its series (see ``_recurrence_stop``)."""
    if cancel and bill.is_master:
        _recurrence_stop(bill)
    elif cancel:
        invoice_void(
            invoice=bill.invoice,
            paid_refusal=f"Bill {bill.bill_no} is paid or partly paid and cannot be cancelled.",
        )
    if due or currency:
        invoice_amend_terms(invoice=bill.invoice, due_date=due, currency=currency)
    changed = {
        field: value for field, value in (("ref1", ref1), ("ref2", ref2)) if value is not None
    }
    for field, value in changed.items():
        setattr(bill, field, value)
    bill.save(update_fields=[*changed, "updated_at"])
    return bill


def _recurrence_stop(bill: Bill) -> None:
    """End the master's series: no bill is issued after this (the master's row
    is locked, so an issue running now finishes first or sees the end). Its own
    bill is cancelled too while nothing is paid on it; a paid (or partly paid)
    master keeps its money and status, and its series still ends: stopping a
    subscription never needs its first bill refunded. The bills already issued
    stay as they are, payable: they bill periods before the end (each can be
    cancelled on its own). Cancelling an ended master again changes nothing."""
    master = Bill.objects.select_for_update().get(pk=bill.pk)
    if master.recurring_stopped_at is None:
        master.rbill_date = None
        master.recurring_stopped_at = timezone.now()
        master.save(update_fields=["rbill_date", "recurring_stopped_at", "updated_at"])
        bill.rbill_date, bill.recurring_stopped_at = master.rbill_date, master.recurring_stopped_at
    invoice = Invoice.objects.select_for_update().get(pk=bill.invoice_id)
    settled_in_part = invoice.amount_paid or invoice.amount_credited  # kept, as money paid is
    if invoice.status in (Invoice.Status.DRAFT, Invoice.Status.OPEN) and not settled_in_part:
        bill.invoice = invoice_void(invoice=invoice)


def bills_recurring_due(*, today: datetime.date) -> list[int]:
    """The ids of the masters with a bill due on or before ``today``."""
    return list(
        Bill.objects.recurring_due(today).order_by("rbill_date", "id").values_list("pk", flat=True)
    )


def bill_issue_recurring(*, master_id: int, today: datetime.date) -> Bill | None:
    """Issue the master's next bill if it is due by ``today``: the bill of the
    period ``rbill_date``, after which ``rbill_date`` moves to the next period (or
    to null past ``recurring_end_date``). None when nothing is due. One
    transaction, the master's row locked: two runs at once issue a period once,
    the second seeing the first's ``rbill_date``; the unique (master_bill,
    rbill_date) refuses a period billed twice whatever else happens."""
    try:
        return _issue_next(master_id, today)
    except IntegrityError:
        master = Bill.objects.filter(pk=master_id).values_list("rbill_date", flat=True).first()
        if (
            master is not None
            and Bill.objects.filter(master_bill_id=master_id, rbill_date=master).exists()
        ):
            return None  # billed meanwhile by a run the lock did not hold back
        raise


@transaction.atomic
def _issue_next(master_id: int, today: datetime.date) -> Bill | None:
    master = (
        Bill.objects.select_for_update()
        .filter(pk=master_id, recurring__isnull=False, recurring_stopped_at__isnull=True)
        .first()
    )
    if master is None or master.rbill_date is None or master.rbill_date > today:
        return None
    invoice = Invoice.objects.select_related("customer").get(pk=master.invoice_id)
    if invoice.status == Invoice.Status.VOID:  # cancelled through another face
        master.rbill_date, master.recurring_stopped_at = None, invoice.voided_at or timezone.now()
        master.save(update_fields=["rbill_date", "recurring_stopped_at", "updated_at"])
        return None
    period = master.rbill_date
    end = master.recurring_end_date
    if end is not None and period > end:  # the end date moved before the next bill
        master.rbill_date = None
        master.save(update_fields=["rbill_date", "updated_at"])
        return None
    anchor = invoice.issue_date
    following = recurrence.next_date(anchor, master.recurring, period)
    child_invoice = invoice_create(
        customer=invoice.customer,
        currency=invoice.currency,
        lines=invoice_line_inputs(invoice),
        issue_date=period,
        due_date=recurrence.shifted(invoice.due_date, master.recurring, anchor, period),
        period_from=period,
        period_to=following - datetime.timedelta(days=1),
        description=invoice.description,
        issue=True,
    )
    child = _bill_save(
        invoice=child_invoice,
        collection_id=master.collection_id,
        ref1=master.ref1,
        ref2=master.ref2,
        type=master.type,
        api_redirect=master.api_redirect,
        quantity_label=master.quantity_label,
        is_metric=master.is_metric,
        master_bill=master,
        rbill_date=period,
    )
    ProductCollection.objects.bulk_create(
        ProductCollection(bill=child, product_id=item.product_id, quantity=item.quantity)
        for item in master.product_collections.all()
    )
    bill_event(
        "bill.created", Bill.objects.select_related("collection", "invoice").get(pk=child.pk)
    )
    master.rbill_date = following if end is None or following <= end else None
    master.save(update_fields=["rbill_date", "updated_at"])
    return child


def notification_signature(payload: dict, secret: str) -> str:
    """HMAC-SHA256 (hex) of the payload's ``key:value`` pairs, sorted by key and
    joined by ``|``, the signature itself left out. Values are written as sent;
    JSON ``true``/``false`` as ``true``/``false``."""
    message = "|".join(
        f"{key}:{_canonical(payload[key])}" for key in sorted(payload) if key != "signature"
    )
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _canonical(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@transaction.atomic
def bill_payment_notification(*, provider: str, payload: dict) -> tuple[Payment | None, bool]:
    """Verify and apply a provider's payment notification for a bill.
    Returns (payment, created): the payment recorded now, or the one this
    ``ref_id`` recorded before (created False), or (None, False) when the
    notification reports no successful payment."""
    bill_no = str(payload.get("bill_no", ""))
    bill = Bill.objects.select_related("collection", "invoice").filter(bill_no=bill_no).first()
    if bill is None or bill.bill_no != bill_no:  # MariaDB compares without case
        raise NotFoundError("Unknown bill_no.")
    expected = notification_signature(payload, bill.collection.callback_secret)
    # As bytes: compare_digest refuses str with non-ASCII characters (a TypeError).
    given = str(payload.get("signature", "")).encode("utf-8", "surrogatepass")
    if not hmac.compare_digest(expected.encode(), given):
        raise SignatureError("Invalid signature.")
    if (
        _canonical(payload.get("paid", "")).lower() != "true"
        or str(payload.get("status", "")).lower() not in SUCCESS_STATUSES
    ):
        return None, False
    reference = str(payload.get("ref_id", "")).strip()
    if not reference or len(reference) > 128:
        raise BillingError("ref_id is required (at most 128 characters).")
    if payload.get("currency") != bill.invoice.currency:
        raise BillingError(f"currency must be the bill's, {bill.invoice.currency}.")
    try:
        amount = parse_amount(payload.get("amount"), bill.invoice.currency)
    except (MoneyError, InvalidOperation) as exc:
        raise BillingError(f"amount: {exc}") from None
    if amount <= Decimal("0"):
        raise BillingError("amount must be greater than zero.")
    # The bill's row lock queues concurrent deliveries; a ref_id already paid on
    # this bill is the same payment whichever provider name it comes under.
    Invoice.objects.select_for_update().filter(pk=bill.invoice_id).first()
    existing = Payment.objects.filter(
        Q(provider=provider, provider_reference=reference)
        | Q(invoice_id=bill.invoice_id, provider_reference=reference)
    ).first()
    if existing is not None:
        return _already_recorded(existing, bill)
    try:
        payment = payment_record(
            invoice_id=bill.invoice_id,
            amount=amount,
            method=Payment.Method.GATEWAY,
            provider=provider,
            provider_reference=reference,
        )
    except DuplicatePaymentError:  # the same notification, delivered twice at once
        existing = Payment.objects.get(provider=provider, provider_reference=reference)
        return _already_recorded(existing, bill)
    return payment, True


def _already_recorded(payment: Payment, bill: Bill) -> tuple[Payment, bool]:
    if payment.invoice_id != bill.invoice_id:
        raise ConflictError("This ref_id paid another bill.")
    return payment, False


@dataclass
class RecurringRun:
    """What one run of ``bills_recurring_issue`` did: the bills it issued, and the
    masters it could not issue from (bill number, why), which stay due."""

    issued: list[Bill] = dataclass_field(default_factory=list)
    failed: list[tuple[str, str]] = dataclass_field(default_factory=list)


def bills_recurring_issue(*, today: datetime.date, on_issue=None) -> RecurringRun:
    """Issue every bill due by ``today``. A master that missed several periods
    (no run for a while) gets each one's bill, once, oldest first, never past its
    end date nor after its cancellation. Each bill is its own transaction; a
    master that fails (its total past the currency's limit, say) is reported and
    the others still issued. ``on_issue(child)`` is called after each commit."""
    run = RecurringRun()
    for master_id in bills_recurring_due(today=today):
        try:
            while (child := bill_issue_recurring(master_id=master_id, today=today)) is not None:
                run.issued.append(child)
                if on_issue is not None:
                    on_issue(child)
        except BillingError as error:
            bill_no = Bill.objects.filter(pk=master_id).values_list("bill_no", flat=True).first()
            run.failed.append((bill_no or str(master_id), error.message))
    return run
