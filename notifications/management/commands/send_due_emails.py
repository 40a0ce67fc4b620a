from collections import Counter

from django.core.management.base import CommandError

from billing_site.commands import CronCommand
from notifications import selectors, services


class Command(CronCommand):
    help = (
        "Make one attempt, in this process, at every pending email overdue by more than "
        "NOTIFICATIONS_SWEEP_GRACE_SECONDS whose task was lost (what the beat's "
        "send-due-emails task does, for a site without Celery beat). A failed attempt is "
        "recorded and tried again by a later run once due. Exit status: 0 done (an email "
        "that failed included), 1 an error (one line on stderr), 2 a wrong option."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="at most this many emails (500)")

    def handle(self, *args, limit, **options):
        if limit < 1:
            raise CommandError(f"--limit must be 1 or more, not {limit}")
        due = selectors.emails_due(limit=limit)
        outcomes = Counter()
        for email_id in due:
            attempt = services.email_send(email_id=email_id)
            outcomes[attempt.outcome] += 1
            error = f": {attempt.error}" if attempt.error else ""
            self.say(f"email {email_id}: {attempt.outcome}{error}", level=2)
        self.say(
            f"{len(due)} overdue email(s): {outcomes['sent']} sent, {outcomes['retry']} to "
            f"retry, {outcomes['failed']} failed for good, "
            f"{outcomes['held'] + outcomes['skipped']} left to another worker."
        )
