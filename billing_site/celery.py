"""The Celery application: settings from Django's (``CELERY_*``), tasks from
each app's ``tasks.py``. Without ``CELERY_BROKER_URL`` tasks run in the calling
process (after the transaction commits: the callers queue them ``on_commit``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billing_site.settings.local")

app = Celery("billing_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
