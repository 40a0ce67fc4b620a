"""The customer an issued invoice bills, frozen at issue in a row of its own
(``BilledCustomer``), so that the invoice's row, which every payment, lookup and
listing reads, stays narrow."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from invoices.models import BilledCustomer, Invoice
from invoices.services import invoice_issue
from invoices.tests.factories import CustomerFactory, InvoiceFactory

BEFORE, MOVED = (
    ("invoices", "0009_invoice_amount_credited"),
    ("invoices", "0011_invoice_rebuilt"),
)
FROZEN = Invoice._meta.get_field("frozen_customer")


@pytest.mark.django_db
def test_issue_freezes_the_customer_in_a_row_of_its_own():
    customer = CustomerFactory(name="Ada Lovelace", city="London")
    draft = InvoiceFactory(customer=customer, issue=False)
    assert draft.customer_snapshot == {}
    assert draft.billed_customer["name"] == "Ada Lovelace"  # live while a draft

    issued = invoice_issue(invoice=draft)
    with CaptureQueriesContext(connection) as queries:
        assert issued.customer_snapshot["address"]["city"] == "London"
    assert len(queries) == 0  # the issue left its row at hand
    customer.name, customer.city = "Ada King", "Ockham"
    customer.save()
    stored = BilledCustomer.objects.get(invoice=issued).snapshot
    assert (stored["name"], stored["address"]["city"]) == ("Ada Lovelace", "London")
    again = Invoice.objects.select_related("frozen_customer").get(pk=issued.pk)
    assert again.billed_customer["name"] == "Ada Lovelace"

    columns = {
        column.name
        for column in connection.introspection.get_table_description(
            connection.cursor(), Invoice._meta.db_table
        )
    }
    assert "customer_snapshot" not in columns and "total" in columns


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_each_issued_snapshot_and_back():
    try:
        _migrate_both_ways()
    finally:  # the schema as every other test expects it, whatever happened
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate_both_ways():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    customer = old.get_model("invoices", "Customer").objects.create(
        name="Grace Hopper", account_number="70000001"
    )
    common = dict(customer=customer, currency="USD", subtotal=1, tax=0, total=1, amount_paid=0)
    issued = old.get_model("invoices", "Invoice").objects.create(
        number="M-1", status="open", customer_snapshot={"name": "Grace Hopper"}, **common
    )
    draft = old.get_model("invoices", "Invoice").objects.create(
        number="M-2", status="draft", **common
    )

    MigrationExecutor(connection).migrate([MOVED])
    assert dict(BilledCustomer.objects.values_list("invoice_id", "snapshot")) == {
        issued.pk: {"name": "Grace Hopper"}
    }
    assert Invoice.objects.get(pk=draft.pk).customer_snapshot == {}
    # The draft has no row yet: issuing it makes one.
    invoice_issue(invoice=Invoice.objects.get(pk=draft.pk))

    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    snapshots = old.get_model("invoices", "Invoice").objects.values_list("pk", "customer_snapshot")
    back = dict(snapshots)
    assert back[issued.pk] == {"name": "Grace Hopper"}
    assert (back[draft.pk]["name"], back[draft.pk]["account_number"]) == (
        "Grace Hopper",
        "70000001",
    )


@pytest.mark.django_db
def test_every_read_that_shows_the_billed_customer_joins_its_row(admin_user):
    """The invoice (and bill) reads whose answers show the customer as billed
    read its row in the same query: a list of them costs no query each."""
    from billing_site.documents import links
    from bills.pages import DOCUMENT_SALT
    from bills.pdfs import bill_from_token
    from bills.selectors import bill_for_page
    from bills.services import collection_create
    from bills.tests.test_bills_api import make_bill
    from invoices.isp.selectors import isp_invoice_get
    from invoices.receipts import invoice_from_token, receipt_token
    from invoices.selectors import invoice_get
    from notifications.documents import invoice_for_documents

    invoice = InvoiceFactory()
    bill = make_bill(collection_create(code="fees", title="Fees"))
    read = {
        "invoice_get": invoice_get(user=admin_user, pk=invoice.pk),
        "isp_invoice_get": isp_invoice_get(user=admin_user, pk=invoice.pk),
        "invoice_from_token": invoice_from_token(receipt_token(invoice)),
        "invoice_for_documents": invoice_for_documents(invoice.pk),
        "bill_for_page": bill_for_page(bill.bill_no).invoice,
        "bill_from_token": bill_from_token(links.sign(bill.pk, DOCUMENT_SALT)).invoice,
    }
    assert {name: FROZEN.is_cached(found) for name, found in read.items()} == dict.fromkeys(
        read, True
    )
    assert read["invoice_get"].billed_customer["name"] == invoice.customer.name
