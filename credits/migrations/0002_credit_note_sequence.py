from django.db import migrations


def create_sequence(apps, schema_editor):
    # The sequence's row exists before the first note: concurrent first notes
    # then queue on its lock instead of racing to insert it (a deadlock on MariaDB).
    NumberSequence = apps.get_model("invoices", "NumberSequence")
    NumberSequence.objects.get_or_create(name="credit_note")


class Migration(migrations.Migration):
    dependencies = [
        ("credits", "0001_initial"),
        ("invoices", "0009_invoice_amount_credited"),
    ]

    operations = [migrations.RunPython(create_sequence, migrations.RunPython.noop)]
