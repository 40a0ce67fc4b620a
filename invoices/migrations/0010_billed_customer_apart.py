"""The customer snapshot of an issued invoice moves to a row of its own
(``BilledCustomer``): it was most of an invoice row's bytes, read by every scan
of the table (0011 rebuilds the table on MySQL, which drops a column in place).
Run it with the web processes stopped: one of the code before that issued an
invoice between the copy and the drop would leave it without its snapshot."""

import django.db.models.deletion
from django.db import migrations, models


def _tables(apps):
    invoice = apps.get_model("invoices", "Invoice")._meta.db_table
    billed = apps.get_model("invoices", "BilledCustomer")._meta.db_table
    return invoice, billed


def move_snapshots(apps, schema_editor):
    invoice, billed = map(schema_editor.quote_name, _tables(apps))
    # A draft has none yet (it is frozen at issue). Rows, not schema: a cursor,
    # since MySQL runs this in a transaction of its own.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {billed} (invoice_id, snapshot) "  # noqa: S608 (names from the models)
            f"SELECT id, customer_snapshot FROM {invoice} WHERE status <> 'draft'"
        )


def move_snapshots_back(apps, schema_editor):
    invoice, billed = map(schema_editor.quote_name, _tables(apps))
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {invoice} SET customer_snapshot = "  # noqa: S608 (names from the models)
            f"(SELECT snapshot FROM {billed} b WHERE b.invoice_id = {invoice}.id) "
            f"WHERE id IN (SELECT invoice_id FROM {billed})"
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
