from django.db import migrations
from django.db.models import F


def number_as_order_id(apps, schema_editor):
    """Invoices without an external order reference take their billing number
    as order id (``services.invoice_create`` does so for new ones)."""
    Invoice = apps.get_model("invoices", "Invoice")
    Invoice.objects.filter(order_id="").update(order_id=F("number"))


class Migration(migrations.Migration):
    dependencies = [("invoices", "0003_customer_view_all_customers")]

    operations = [migrations.RunPython(number_as_order_id, migrations.RunPython.noop)]
