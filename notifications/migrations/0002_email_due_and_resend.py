import django.db.models.deletion
from django.db import migrations, models


def pending_due_from_creation(apps, schema_editor):
    """An email pending before the column existed is due since it was written:
    the sweep sends it if its task was lost."""
    OutgoingEmail = apps.get_model("notifications", "OutgoingEmail")
    OutgoingEmail.objects.filter(status="pending").update(next_attempt_at=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_outbox"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingemail",
            name="copy_number",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="outgoingemail",
            name="next_attempt_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="outgoingemail",
            name="resend_of",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="resends",
                to="notifications.outgoingemail",
            ),
        ),
        migrations.AddIndex(
            model_name="outgoingemail",
            index=models.Index(fields=["next_attempt_at"], name="outgoing_email_due_idx"),
        ),
        # The new unique index first: on MariaDB it serves the event's foreign key
        # in place of the old one, which can then be dropped.
        migrations.AddConstraint(
            model_name="outgoingemail",
            constraint=models.UniqueConstraint(
                fields=("event", "kind", "copy_number"), name="outgoing_email_event_kind_copy_uniq"
            ),
        ),
        migrations.RemoveConstraint(
            model_name="outgoingemail",
            name="outgoing_email_event_kind_uniq",
        ),
        migrations.RunPython(pending_due_from_creation, migrations.RunPython.noop),
    ]
