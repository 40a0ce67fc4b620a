"""Gunicorn's settings, read from the working directory (the Procfile's ``web``
line runs from the repository's root); its command line flags come on top.

- Metrics: each worker writes its values to files in PROMETHEUS_MULTIPROC_DIR,
  which a scrape sums (``billing_site/metrics.py``). The values' files (``*.db``)
  are removed when the server starts (a previous run's counts would be added
  again), and a dead worker's live gauges when it exits; a dead worker's counts
  stay, as counters must. Without the variable the server makes a folder of its
  own and removes it when it stops: two servers must never share one.
- Logs: gunicorn's own lines go through the application's LOGGING (the same
  format, LOG_FORMAT); its access line is off, the application writes one per
  request (``billing.access``) with the request's id, user and face."""

import os
import shutil
import tempfile
from pathlib import Path

from gunicorn.glogging import Logger

# As billing_site/wsgi.py: the workers run the production settings unless told otherwise.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billing_site.settings.production")

_private_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _private_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="billing-metrics-")
_metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])


def on_starting(server):
    _metrics_dir.mkdir(parents=True, exist_ok=True)
    for values in _metrics_dir.glob("*.db"):  # only prometheus_client's files
        values.unlink(missing_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, str(_metrics_dir))


def on_exit(server):
    if _private_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)


class AppAccessLogger(Logger):
    """Gunicorn's logger without its access line (the application writes one)."""

    access_log_enabled = False

    def access(self, resp, req, environ, request_time):
        pass


def _logging() -> dict:
    from django.conf import settings

    gunicorn_loggers = {
        # No level: gunicorn's --log-level stays in force.
        "gunicorn.error": {"handlers": [], "propagate": True},
        "gunicorn.access": {"handlers": [], "propagate": True},
    }
    return {
        **settings.LOGGING,
        "loggers": {**settings.LOGGING.get("loggers", {}), **gunicorn_loggers},
    }


logger_class = AppAccessLogger
logconfig_dict = _logging()
