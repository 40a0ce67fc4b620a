"""The one locked helper every change of an invoice's status goes through."""

import ast
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from billing_site.errors import ConflictError, NotFoundError
from billing_site.testing import ROOT
from invoices.models import Invoice
from invoices.services import invoice_issue, invoice_void
from invoices.tests.factories import InvoiceFactory
from invoices.transitions import locked, transition
from payments.services import invoice_settle, payment_record

pytestmark = pytest.mark.django_db

Status = Invoice.Status


@pytest.mark.parametrize(
    ("issue", "to", "stamp"),
    [
        (False, Status.OPEN, "issued_at"),
        (False, Status.VOID, "voided_at"),
        (True, Status.PAID, "paid_at"),
        (True, Status.VOID, "voided_at"),
    ],
)
def test_a_move_saves_the_status_and_stamps_its_time(issue, to, stamp):
    invoice = InvoiceFactory(issue=issue)
    at = timezone.now() - datetime.timedelta(hours=1)
    moved = transition(invoice, invoice.status, to, at=at)
    assert (moved.pk, moved.status, getattr(moved, stamp)) == (invoice.pk, to, at)
    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.status, getattr(stored, stamp)) == (to, at)


def test_the_status_is_read_again_under_the_lock_not_taken_from_the_caller():
    invoice = InvoiceFactory(issue=False)
    stale = Invoice.objects.get(pk=invoice.pk)
    invoice_void(invoice=invoice)
    assert stale.status == Status.DRAFT  # what the caller still believes
    with pytest.raises(ConflictError, match=f"Invoice {invoice.number} is void, not draft."):
        transition(stale, Status.DRAFT, Status.OPEN)
    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.status, stored.issued_at) == (Status.VOID, None)


def test_a_caller_refusal_and_its_own_rule_leave_the_invoice_as_it_was():
    invoice = InvoiceFactory()

    def refuse(row):
        return ConflictError(f"{row.number} is {row.status}")

    with pytest.raises(ConflictError, match=f"^{invoice.number} is open$"):
        transition(invoice, Status.DRAFT, Status.OPEN, refuse=refuse)

    def no_void_today(row):
        row.description = "changed before the refusal"
        raise ConflictError("not today")

    with pytest.raises(ConflictError, match="not today"):
        transition(invoice, Status.OPEN, Status.VOID, before=no_void_today)
    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.status, stored.voided_at, stored.description) == (
        Status.OPEN,
        None,
        "Monthly service",
    )


def test_before_fills_in_and_changes_are_saved_with_the_move():
    invoice = InvoiceFactory()

    def note(row):
        row.description = f"settled from {row.status}"

    moved = transition(invoice, Status.OPEN, Status.PAID, before=note, amount_paid=invoice.total)
    stored = Invoice.objects.get(pk=invoice.pk)
    for row in (moved, stored):
        assert (row.status, row.description, row.amount_paid) == (
            Status.PAID,
            "settled from open",
            Decimal("100.00"),
        )


@pytest.mark.parametrize(
    ("from_", "to"),
    [(Status.PAID, Status.VOID), (Status.VOID, Status.OPEN), ((Status.OPEN, Status.PAID), "void")],
)
def test_a_move_the_ledger_never_makes_is_a_programming_error(from_, to):
    invoice = InvoiceFactory()
    payment_record(invoice_id=invoice.pk, amount=invoice.total, method="cash")
    with pytest.raises(ValueError, match="never moves from"):
        transition(invoice, from_, to)
    assert Invoice.objects.get(pk=invoice.pk).status == Status.PAID


@pytest.mark.django_db(transaction=True)  # outside the test's own transaction
def test_locking_needs_a_transaction_on_every_database():
    invoice = InvoiceFactory()
    with pytest.raises(transaction.TransactionManagementError):
        locked(invoice, Status.OPEN)
    with transaction.atomic():
        assert locked(invoice.pk, Status.OPEN).pk == invoice.pk


def test_an_invoice_deleted_meanwhile_is_not_found():
    invoice = InvoiceFactory(issue=False)
    Invoice.objects.filter(pk=invoice.pk).delete()
    with pytest.raises(NotFoundError, match=f"Invoice {invoice.pk} does not exist."):
        invoice_issue(invoice=invoice)


def test_an_invoice_never_saved_is_not_found():
    with transaction.atomic(), pytest.raises(NotFoundError, match="Invoice None does not exist"):
        locked(Invoice(), Status.OPEN)


def test_services_move_through_it_with_their_own_messages():
    draft = InvoiceFactory(issue=False)
    issued = invoice_issue(invoice=draft)
    assert (issued.status, issued.issue_date) == (Status.OPEN, datetime.date(2026, 1, 15))
    assert issued.issued_at is not None and issued.customer_snapshot["id"] == draft.customer_id
    with pytest.raises(ConflictError) as refused:
        invoice_issue(invoice=draft)
    assert refused.value.message == (
        f"Only a draft invoice can be issued; invoice {draft.number} is open."
    )
    payment_record(invoice_id=issued.pk, amount=Decimal("1"), method="cash")
    with pytest.raises(ConflictError, match=r"has payments of 1(\.0+)? and cannot be voided\.$"):
        invoice_void(invoice=issued)
    settled = invoice_settle(invoice_id=issued.pk, method="cash")
    assert (settled.status, settled.amount_paid, settled.balance) == (Status.PAID, 100, 0)
    assert settled.paid_at == settled.payments.order_by("-id").first().paid_at
    with pytest.raises(ConflictError, match="payment is already paid"):
        invoice_settle(invoice_id=issued.pk, method="cash")
    with pytest.raises(ConflictError, match=f"Invoice {issued.number} is paid and cannot be"):
        invoice_void(invoice=issued)


# Where a status could be written without the helper: an assignment to
# ``<something>.status``, or ``status=`` given to a queryset's ``update()`` (one
# called on ``objects`` or on a call such as ``filter(...)``: a dict's is no write).
APPS = ("invoices", "payments", "bills", "reports", "audit", "billing_site")


def _status_writes(path: Path) -> list[str]:
    writes = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                if isinstance(element, ast.Attribute) and element.attr == "status":
                    writes.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "update"
            and (
                isinstance(node.func.value, ast.Call)
                or (
                    isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "objects"
                )
            )
            and any(keyword.arg == "status" for keyword in node.keywords)
        ):
            writes.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return writes


def test_only_the_helper_writes_an_invoice_status():
    sources = [
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]
    writes = [write for path in sources for write in _status_writes(path)]
    assert writes == [f"invoices/transitions.py:{_line_of('row.status = to')}"]


def _line_of(text: str) -> int:
    lines = (ROOT / "invoices" / "transitions.py").read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.strip() == text)


def test_a_held_row_moves_without_being_read_again(django_assert_num_queries):
    invoice = InvoiceFactory(issue=True)
    with transaction.atomic():
        row = locked(invoice, Status.OPEN)
        # The UPDATE, the move's event, and whether the invoice is a bill's (bill.paid).
        with django_assert_num_queries(3):
            moved = transition(row, Status.OPEN, Status.PAID, held=True, amount_paid=row.total)
    assert Invoice.objects.get(pk=invoice.pk).status == moved.status == Status.PAID


@pytest.mark.django_db(transaction=True)
def test_a_held_lock_needs_a_transaction():
    invoice = InvoiceFactory(issue=True)
    with pytest.raises(transaction.TransactionManagementError):
        transition(invoice, Status.OPEN, Status.VOID, held=True)
    assert Invoice.objects.get(pk=invoice.pk).status == Status.OPEN


def test_a_held_row_is_still_checked():
    invoice = InvoiceFactory(issue=True)
    with transaction.atomic():
        row = locked(invoice, Status.OPEN)
        with pytest.raises(ConflictError):
            transition(row, Status.DRAFT, Status.OPEN, held=True)
    assert Invoice.objects.get(pk=invoice.pk).status == Status.OPEN
