"""The Celery application: settings from Django's (``CELERY_*``), tasks from
each app's ``tasks.py``. Without ``CELERY_BROKER_URL`` tasks run in the calling
process (after the transaction commits: the callers queue them ``on_commit``)."""

import logging
import os
import sys
from pathlib import Path

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billing_site.settings.local")
if "celery" in (Path(sys.argv[0]).name, Path(sys.argv[0]).parent.name):
    # A worker (or beat) waits on the database as a management command does
    # (DATABASE_COMMAND_TIMEOUT_SECONDS): a report made on a worker may take as
    # long as one the command makes; a task's bound is CELERY_TASK_TIME_LIMIT_SECONDS.
    os.environ["BILLING_COMMAND_PROCESS"] = "1"

app = Celery("billing_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def use_django_logging(loglevel=None, **kwargs):
    """Workers and the beat write their lines as the web processes do (LOGGING,
    in LOG_FORMAT), not in Celery's own format, at the more verbose of LOG_LEVEL
    and their ``--loglevel`` (the Procfile's INFO; Celery's default WARNING)."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
    root = logging.getLogger()
    if loglevel:
        root.setLevel(min(root.level, loglevel))  # a number here (mlevel)
