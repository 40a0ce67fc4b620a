from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_billingreport_invoice"),
    ]

    # The new order index first: MariaDB's foreign key on customer keeps an index
    # to stand on (order_reference_unique would do too).
    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["customer", "order_date", "reference_number"],
                name="order_customer_date_ref_idx",
            ),
        ),
        migrations.RemoveIndex(
            model_name="order",
            name="order_customer_date_idx",
        ),
        migrations.AddIndex(
            model_name="orderservicecost",
            index=models.Index(
                fields=["order", "service", "amount_minor"], name="order_cost_amount_idx"
            ),
        ),
    ]
