"""The customer snapshot of an issued invoice moves to a row of its own
(``BilledCustomer``): it was most of an invoice row's bytes, read by every scan
of the table (0011 rebuilds the table on MySQL, which drops a column in place).
Run it with the web processes stopped: one of the code before that issued an
invoice between the copy and the drop would leave it without its snapshot."""

import django.db.models.deletion
from django.db import migrations, models


def _run(apps, schema_editor, sql: str) -> None:
    """``sql`` with the two tables' quoted names for ``{invoice}`` and ``{billed}``.
    Rows, not schema: a cursor, since MySQL runs this in a transaction of its own."""
    invoice = apps.get_model("invoices", "Invoice")._meta.db_table
    billed = apps.get_model("invoices", "BilledCustomer")._meta.db_table
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql.format(invoice=quote(invoice), billed=quote(billed)))


def move_snapshots(apps, schema_editor):
    # A draft has none yet: it is frozen at issue.
    _run(
        apps,
        schema_editor,
        "INSERT INTO {billed} (invoice_id, snapshot) "
        "SELECT id, customer_snapshot FROM {invoice} WHERE status <> 'draft'",
    )


def move_snapshots_back(apps, schema_editor):
    _run(
        apps,
        schema_editor,
        "UPDATE {invoice} SET customer_snapshot = "
        "(SELECT snapshot FROM {billed} b WHERE b.invoice_id = {invoice}.id) "
        "WHERE id IN (SELECT invoice_id FROM {billed})",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0009_invoice_amount_credited"),
    ]

    operations = [
        migrations.CreateModel(
            name="BilledCustomer",
            fields=[
                (
                    "invoice",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="frozen_customer",
                        serialize=False,
                        to="invoices.invoice",
                    ),
                ),
                ("snapshot", models.JSONField()),
            ],
        ),
        migrations.RunPython(move_snapshots, move_snapshots_back),
        migrations.RemoveField(
            model_name="invoice",
            name="customer_snapshot",
        ),
    ]
