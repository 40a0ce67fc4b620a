"""Writes of the bills app: collections, bills, and the payment notifications
that pay them."""

import datetime
import hashlib
import hmac
import secrets
import string
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
    invoice_void,
)
from payments.models import Payment
from payments.services import DuplicatePaymentError, payment_record

from .events import bill_event
from .models import Bill, Collection, Product, ProductCollection

BILL_NO_ALPHABET = string.ascii_letters + string.digits
SUCCESS_STATUSES = {"paid", "success", "successful", "completed"}


class SignatureError(BillingError):
    status_code = 401


class BillInputError(BillingError):
    status_code = 422


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
) -> Bill:
    """An open invoice for the customer with one line per product, presented as
    a bill of the collection under a new random bill number. A bill with a
    fractional quantity is metric (its quantities are measures)."""
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
        issue_date=timezone.localdate(),
        due_date=due,
        description=ref1,
        issue=True,
    )
    while True:
        try:
            with transaction.atomic():
                bill = Bill.objects.create(
                    invoice=invoice,
                    collection=collection,
                    bill_no=_new_bill_no(),
                    ref1=ref1,
                    ref2=ref2,
                    type=type,
                    api_redirect=api_redirect,
                    quantity_label=quantity_label,
                    is_metric=any(q != q.to_integral_value() for _, q in items),
                    created_by=created_by,
                )
            break
        except IntegrityError:  # the same bill number drawn concurrently: draw again
            continue
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
    """Change a bill's terms, or cancel it (void its invoice) while nothing is paid."""
    if cancel:
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
