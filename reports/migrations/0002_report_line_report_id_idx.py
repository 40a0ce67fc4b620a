from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
    ]

    # The new index first: MariaDB's foreign key on report needs one to stand on.
    operations = [
        migrations.AddIndex(
            model_name="billingreportline",
            index=models.Index(fields=["report", "id"], name="report_line_report_id_idx"),
        ),
        migrations.RemoveIndex(
            model_name="billingreportline",
            name="report_line_order_idx",
        ),
    ]
