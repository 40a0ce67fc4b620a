"""The keyset batch loops (``billing_site.api.batches``)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing_site.api.batches import (
    compiled_keyset_batches,
    keyset_batches,
    keyset_rows,
    ordered_batches,
)
from invoices.models import Invoice
from invoices.services import invoice_create
from invoices.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

DUE = [None, "2026-01-03", "2026-01-01", None, "2026-01-03", "2026-01-02", "2026-01-03"]


@pytest.fixture
def invoices():
    customer = CustomerFactory()
    return [
        invoice_create(
            customer=customer,
            currency="USD",
            amount=Decimal(index % 3),
            due_date=due and datetime.date.fromisoformat(due),
        )
        for index, due in enumerate(DUE)
    ]


def _sort_key(invoice, field):
    value = getattr(invoice, field)
    return (value is not None, value)  # NULL first ascending, as the database is told


@pytest.mark.parametrize("batch_size", [1, 2, 3, 100])
@pytest.mark.parametrize(
    "ordering", [["due_date"], ["-due_date"], ["-total"], ["total", "-due_date"], ["-id"], []]
)
def test_ordered_batches_read_every_row_once_in_the_lists_order(invoices, ordering, batch_size):
    expected = sorted(invoices, key=lambda invoice: invoice.pk)
    for name in reversed(ordering or Invoice._meta.ordering):
        field = name.lstrip("-")
        expected.sort(key=lambda invoice: _sort_key(invoice, field), reverse=name[0] == "-")
    queryset = Invoice.objects.order_by(*ordering) if ordering else Invoice.objects.all()
    batches = list(ordered_batches(queryset, batch_size=batch_size))
    assert [invoice.pk for batch in batches for invoice in batch] == [i.pk for i in expected]
    assert all(len(batch) <= batch_size for batch in batches)


def test_ordered_batches_cost_one_query_a_batch(invoices, django_assert_num_queries):
    with django_assert_num_queries(4):  # 7 rows in batches of 2
        assert sum(len(b) for b in ordered_batches(Invoice.objects.all(), batch_size=2)) == 7


def test_keyset_batches_read_values_and_values_list_rows(invoices):
    pks = sorted(invoice.pk for invoice in invoices)
    assert list(keyset_rows(Invoice.objects.values_list("pk", flat=True), batch_size=2)) == pks
    rows = keyset_batches(Invoice.objects.values("pk", "number"), batch_size=3)
    assert [len(batch) for batch in rows] == [3, 3, 1]
    tuples = keyset_rows(Invoice.objects.values_list("pk", "total"), batch_size=2)
    assert [row[0] for row in tuples] == pks


def test_compiled_keyset_batches_read_every_row_once(invoices, django_assert_num_queries):
    pks = sorted(invoice.pk for invoice in invoices)
    rows = Invoice.objects.values_list("pk", "number")
    seen = []
    with django_assert_num_queries(4):  # 7 rows in batches of 2
        for batch, prepared in compiled_keyset_batches(
            rows, batch_size=2, prepare=lambda batch: len(batch)
        ):
            assert prepared == len(batch) <= 2
            seen.extend(batch)
    assert [pk for pk, _ in seen] == pks
    assert [number for _, number in seen] == [
        invoice.number for invoice in sorted(invoices, key=lambda invoice: invoice.pk)
    ]


def test_compiled_keyset_batches_let_prepare_query_and_leave_the_connection_usable(invoices):
    """``prepare`` runs its own queries between batches; a reader that stops
    early leaves the connection ready for the next query."""
    rows = Invoice.objects.values_list("pk", "total")
    counted = []
    batches = compiled_keyset_batches(
        rows, batch_size=2, prepare=lambda batch: counted.append(Invoice.objects.count())
    )
    first, _ = next(batches)
    assert len(first) == 2 and counted == [7]
    batches.close()  # the next batch's query may be on its way
    assert Invoice.objects.filter(pk__in=[pk for pk, _ in first]).count() == 2


def test_compiled_keyset_batches_take_values_list_rows_only():
    with pytest.raises(ValueError):
        next(compiled_keyset_batches(Invoice.objects.values("pk"), batch_size=2))


def test_compiled_keyset_batches_of_a_query_no_row_can_meet_are_none(
    invoices, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert (
            list(
                compiled_keyset_batches(
                    Invoice.objects.filter(pk__in=[]).values_list("pk"), batch_size=2
                )
            )
            == []
        )


def test_compiled_keyset_batches_keep_mariadb_reading_ahead(invoices):
    """On MySQL/MariaDB the next batch is asked for before ``prepare`` runs, and
    the one after before a batch is handed over: the database reads while the
    rows are converted, prepared and written."""
    if connection.vendor != "mysql":
        pytest.skip("the read ahead is MySQL/MariaDB's")
    sent_before_prepare, sent_before_handing_over = [], []
    rows = Invoice.objects.values_list("pk", "number")
    with CaptureQueriesContext(connection) as queries:
        for _batch in compiled_keyset_batches(
            rows, batch_size=2, prepare=lambda batch: sent_before_prepare.append(len(queries))
        ):
            sent_before_handing_over.append(len(queries))
    # 7 rows in batches of 2: 4 queries, the last batch of 1 row.
    assert sent_before_prepare == [2, 3, 4, 4]
    assert sent_before_handing_over == [3, 4, 4, 4]
