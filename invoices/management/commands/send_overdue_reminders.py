from collections import Counter

from django.core.management.base import CommandError

from billing_site.commands import CronCommand
from invoices.reminders import ReminderDue, overdue_reminders_send, reminder_stages


def _by_stage(reminders: list[ReminderDue]) -> str:
    counts = Counter(reminder.stage for reminder in reminders)
    return ", ".join(f"{counts[stage]} after {stage} days" for stage in sorted(counts))


class Command(CronCommand):
    help = (
        "Send the reminders of overdue invoices that are due (INVOICE_REMINDER_DAYS after "
        "the due date), as the beat's task does: each stage once per invoice, only the "
        "latest stage due. Safe to run beside the beat. Exit status: 0 done, 1 an error "
        "or a reminder that failed (one line on stderr), 2 a wrong option."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="say which reminders are due; send and save nothing",
        )

    def handle(self, *args, dry_run, **options):
        stages = ", ".join(str(stage) for stage in reminder_stages()) or "none"
        self.say(f"Reminder stages (days after the due date): {stages}", level=2)
        outcome = overdue_reminders_send(dry_run=dry_run)
        shown = outcome.due if dry_run else outcome.sent
        for reminder in shown:
            self.say(
                f"invoice {reminder.number}: {reminder.days_overdue} days overdue, "
                f"reminder after {reminder.stage} days {'due' if dry_run else 'sent'}",
                level=2,
            )
        if dry_run:
            summary = f"{len(outcome.due)} reminder(s) due"
            if outcome.due:
                summary += f" ({_by_stage(outcome.due)})"
            self.say(f"{summary}; dry run: nothing sent.")
        else:
            summary = f"{len(outcome.sent)} reminder(s) sent"
            if outcome.sent:
                summary += f" ({_by_stage(outcome.sent)})"
            skipped = len(outcome.due) - len(outcome.sent) - len(outcome.failed)
            if skipped:
                summary += f"; {skipped} no longer due (sent meanwhile, paid or voided)"
            self.say(f"{summary}.", style=self.style.SUCCESS)
        if outcome.failed:
            numbers = ", ".join(reminder.number for reminder in outcome.failed)
            raise CommandError(
                f"{len(outcome.failed)} reminder(s) failed (invoices {numbers}); "
                "the next run tries them again."
            )
