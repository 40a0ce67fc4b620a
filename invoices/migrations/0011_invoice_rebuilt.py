"""MySQL and MariaDB drop a column in place: the invoices table is rebuilt for
its rows to lose the customer snapshot's bytes (0010). On its own, so that a
rebuild that fails (it needs free disk about the table's size) is run again
by itself."""

from django.db import migrations


def rebuild_on_mysql(apps, schema_editor):
    if schema_editor.connection.vendor == "mysql":
        table = apps.get_model("invoices", "Invoice")._meta.db_table
        schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} FORCE")


class Migration(migrations.Migration):
    # DDL, which MySQL commits at once: not in a transaction.
    atomic = False

    dependencies = [
        ("invoices", "0010_billed_customer_apart"),
    ]

    operations = [
        migrations.RunPython(rebuild_on_mysql, migrations.RunPython.noop),
    ]
