from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from billing_site.compiled_query import CompiledRowsQuery, CompiledValuesQuery
from invoices.models import Invoice
from invoices.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

FIELDS = ("pk", "number", "total", "issue_date", "created_at", "customer__name")


def by_order_and_number(order_id, number):
    return Invoice.objects.filter(order_id=order_id, number=number).order_by("pk").values(*FIELDS)


def test_rows_are_what_values_gives_with_new_values_each_call():
    built = []

    def build(**values):
        built.append(values)
        return by_order_and_number(**values)

    query = CompiledValuesQuery(build, "order_id", "number")
    first, second = InvoiceFactory(amount=Decimal("10.37")), InvoiceFactory()
    for invoice in (first, second, first):
        with CaptureQueriesContext(connection) as queries:
            rows = query.rows(order_id=invoice.order_id, number=invoice.number)
        assert len(queries) == 1
        assert rows == list(by_order_and_number(invoice.order_id, invoice.number))
    assert len(built) == 1  # built and compiled once
    row = query.rows(order_id=first.order_id, number=first.number)[0]
    assert row["total"] == Decimal("10.37") and isinstance(row["total"], Decimal)
    assert row["created_at"] == first.created_at  # converted: an aware datetime
    assert query.rows(order_id=first.order_id, number=second.number) == []


def test_a_value_is_bound_as_a_parameter_not_as_sql():
    InvoiceFactory(number="A-1")
    query = CompiledValuesQuery(by_order_and_number, "order_id", "number")
    assert query.rows(order_id="' OR '1'='1", number="A-1") == []
    with pytest.raises(TypeError, match="must be text"):
        query.rows(order_id=1, number="A-1")  # MariaDB would compare it as a number


def test_a_placeholder_the_lookup_changes_is_refused_when_compiled():
    # "icontains" hands the database a changed value ("%A-1%"): the marker is no
    # longer found as given, and the query would bind the wrong value.
    query = CompiledValuesQuery(
        lambda number: Invoice.objects.filter(number__icontains=number).values("pk"), "number"
    )
    with pytest.raises(ValueError, match="exactly once"):
        query.rows(number="A-1")


def test_instances_are_what_the_queryset_makes_with_its_annotations():
    query = CompiledRowsQuery(
        lambda number, pk: Invoice.objects.filter(number=number, pk__gte=pk).annotate(
            customer_name=F("customer__name"), made=F("created_at")
        ),
        "number",
        pk=-1,
    )
    invoice = InvoiceFactory(amount=Decimal("10.37"))
    with CaptureQueriesContext(connection) as queries:
        [made] = query.rows(number=invoice.number, pk=invoice.pk)
    assert len(queries) == 1
    expected = Invoice.objects.get(pk=invoice.pk)
    assert made == expected and not made.get_deferred_fields()
    for field in Invoice._meta.concrete_fields:
        assert getattr(made, field.attname) == getattr(expected, field.attname), field
    assert made.customer_name == invoice.customer.name
    assert made.made == expected.created_at  # an annotation's converter applied too
    assert made._state.adding is False and made._state.db == "default"
    assert query.rows(number=invoice.number, pk=invoice.pk + 1) == []
    with pytest.raises(TypeError, match="must be int"):
        query.rows(number=invoice.number, pk=str(invoice.pk))


def test_a_query_with_related_rows_is_refused_when_compiled():
    query = CompiledRowsQuery(
        lambda number: Invoice.objects.select_related("customer").filter(number=number), "number"
    )
    with pytest.raises(ValueError, match="select_related"):
        query.rows(number="A-1")


def test_columns_keep_the_order_values_names_them_in_and_annotations_are_converted():
    def build(number):
        return (
            Invoice.objects.filter(number=number)
            .annotate(paid=F("amount_paid"), made=F("created_at"))
            .values("number", "paid", "total", "made")
        )

    invoice = InvoiceFactory(amount=Decimal("10.37"))
    [row] = CompiledValuesQuery(build, "number").rows(number=invoice.number)
    assert row == next(iter(build(invoice.number)))
    assert list(row) == ["number", "paid", "total", "made"]
    assert row["total"] == Decimal("10.37") and row["made"] == invoice.created_at
