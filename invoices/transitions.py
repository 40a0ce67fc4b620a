"""The one way an invoice's status changes. ``transition`` reads the invoice's
row again under a lock, checks the status it has now (not the one its caller
read earlier), moves it and stamps the move's time, in one transaction: two
concurrent changes queue on the lock, and the second sees what the first did.
Each move writes its event (``invoice.issued``, ``.paid``, ``.voided``) with it.
``locked`` is its first half, for writes that need a status without moving it."""

import datetime
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from billing_site import compiled_writes
from billing_site.compiled_query import CompiledRowsQuery
from billing_site.errors import BillingError, ConflictError, NotFoundError

from .events import REOPENED, STATUS_EVENTS, invoice_event
from .models import Invoice

Status = Invoice.Status

# The moves the ledger makes. A paid invoice is never voided; a refund that
# leaves something owed reopens it (``paid -> open``: ``invoice.reopened``).
MOVES = {
    Status.DRAFT: {Status.OPEN, Status.VOID},
    Status.OPEN: {Status.PAID, Status.VOID},
    Status.PAID: {Status.OPEN},
    Status.VOID: set(),
}
# The field that records when an invoice entered each status.
STAMPS = {Status.OPEN: "issued_at", Status.PAID: "paid_at", Status.VOID: "voided_at"}

Refusal = Callable[[Invoice], BillingError]

# Called with each invoice as it is issued, in its transaction, the row locked
# and saved: apps above this one register here (the credits app applies the
# customer's credit), so the issue stays one move that knows none of them.
ISSUE_HOOKS: list[Callable[[Invoice], None]] = []


# ``SELECT ... FOR UPDATE`` of one invoice by its id, compiled once (payments
# lock an invoice on every call: building and compiling the queryset cost more
# than the database took to answer it).
_LOCKED_ROW = CompiledRowsQuery(
    lambda pk: Invoice.objects.select_for_update().filter(pk=pk), pk=-7_919_000_001
)


def _statuses(from_: str | Iterable[str]) -> tuple[str, ...]:
    return (from_,) if isinstance(from_, str) else tuple(from_)


def _refused(from_: tuple[str, ...]) -> Refusal:
    wanted = " or ".join(from_)
    return lambda invoice: ConflictError(
        f"Invoice {invoice.number} is {invoice.display_status}, not {wanted}."
    )


def locked(
    invoice: Invoice | int, from_: str | Iterable[str], *, refuse: Refusal | None = None
) -> Invoice:
    """The invoice's row read again and locked until the caller's transaction
    ends; ``refuse(invoice)`` is raised when its status is not one of ``from_``."""
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction the lock would end with the read (and SQLite
        # would not say so): a caller's mistake every database reports.
        raise transaction.TransactionManagementError("An invoice is locked inside a transaction.")
    from_ = _statuses(from_)
    pk = invoice.pk if isinstance(invoice, Invoice) else invoice
    pk = Invoice._meta.pk.get_prep_value(pk)
    row = next(iter(_LOCKED_ROW.rows(pk=pk)), None) if pk is not None else None
    if row is None:  # deleted (a draft) since the caller read it
        raise NotFoundError(f"Invoice {pk} does not exist.")
    if row.status not in from_:
        raise (refuse or _refused(from_))(row)
    return row


def transition(
    invoice: Invoice | int,
    from_: str | Iterable[str],
    to: str,
    *,
    refuse: Refusal | None = None,
    before: Callable[[Invoice], None] | None = None,
    at: datetime.datetime | None = None,
    held: bool = False,
    **changes,
) -> Invoice:
    """Move the invoice from one of the statuses ``from_`` to ``to``, stamping
    ``at`` (now) in the status's time field; returns the locked, saved row.
    ``refuse(invoice)`` is raised when the locked row is in another status.
    ``before(invoice)`` sees the locked row first: it raises to refuse (a rule of
    the caller's, such as no void after a payment) or sets what the move fills
    in; ``changes`` are further fields to save with the move. ``held``: the
    caller's transaction already holds the row's lock (``invoice`` came from
    ``locked``), so its status is checked without reading the row again; a
    payment that pays an invoice off saves a round trip on the gateway's path."""
    from_ = _statuses(from_)
    illegal = [status for status in from_ if to not in MOVES[status]]
    if illegal:
        raise ValueError(f"An invoice never moves from {', '.join(illegal)} to {to}.")
    if held:
        if not transaction.get_connection().in_atomic_block:
            raise transaction.TransactionManagementError("A held lock needs a transaction.")
        return _move(invoice, from_, to, refuse=refuse, before=before, at=at, changes=changes)
    with transaction.atomic():
        row = locked(invoice, from_, refuse=refuse)
        return _move(row, from_, to, refuse=refuse, before=before, at=at, changes=changes)


def _move(row: Invoice, from_, to, *, refuse, before, at, changes) -> Invoice:
    """Move the locked ``row`` and save what the move changes."""
    if row.status not in from_:
        raise (refuse or _refused(from_))(row)
    if before is not None:
        before(row)
    for field, value in changes.items():
        setattr(row, field, value)
    event = STATUS_EVENTS[to]
    if row.status == Status.PAID and to == Status.OPEN:
        # Reopened: it was issued when it was, and is no longer paid.
        event, row.paid_at, stamp = REOPENED, None, "paid_at"
    else:
        stamp = STAMPS[to]
        setattr(row, stamp, at or timezone.now())
    row.status = to
    if before is None:
        # What the move changes, and no more: the row is the one locked, read
        # in this transaction or held by the caller with its changes given here.
        compiled_writes.update(row, (*changes, "status", stamp, "updated_at"), deferred=True)
    else:  # ``before`` may have filled in any field
        row.save()
    invoice_event(event, row)
    # Issued (not reopened by a refund): the customer's credit is applied to it.
    for hook in ISSUE_HOOKS if event == STATUS_EVENTS[Status.OPEN] else ():
        hook(row)
    return row
