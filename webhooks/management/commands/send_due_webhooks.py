from billing_site.commands import CronCommand
from webhooks import services


class Command(CronCommand):
    help = (
        "Make the attempt of every webhook delivery whose retry is due, in this process "
        "(what the beat's send-due-webhooks task does, for a site without Celery beat). "
        "Exit status: 0 done, 1 an error (one line on stderr), 2 a wrong option."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=500, help="at most this many deliveries (500)"
        )

    def handle(self, *args, limit, **options):
        made = 0
        for delivery_id in services.due_deliveries(limit=limit):
            made += services.delivery_attempt(delivery_id=delivery_id) is not None
        self.say(f"{made} webhook attempt(s) made.")
