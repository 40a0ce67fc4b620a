"""Gunicorn's settings, read from the working directory (the Procfile's ``web``
line runs from the repository's root); its command line flags come on top.

- Metrics: each worker writes its values to files in PROMETHEUS_MULTIPROC_DIR,
  which a scrape sums (``billing_site/metrics.py``). The values' files (``*.db``)
  are removed when the server starts (a previous run's counts would be added
  again), and a dead worker's live gauges when it exits; a dead worker's counts
  stay, as counters must. Without the variable the server makes a folder of its
  own and removes it when it stops: two servers must never share one.
- Logs: gunicorn's own lines are written in the application's format
  (LOG_FORMAT), still where ``--error-logfile`` says; its access line is off, the
  application writes one per request (``billing.access``) with the request's id,
  user and face."""

import logging.config
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


class AppLogger(Logger):
    """Gunicorn's logger: its own lines in the application's format, wherever
    ``--error-logfile`` sends them (stderr by default), and no access line."""

    access_log_enabled = False

    def setup(self, cfg):
        super().setup(cfg)
        formatter = _application_formatter()
        for handler in self.error_log.handlers:
            handler.setFormatter(formatter)

    def access(self, resp, req, environ, request_time):
        pass


def _application_formatter() -> logging.Formatter:
    """The formatter of the application's console handler (LOGGING, LOG_FORMAT)."""
    from django.conf import settings

    name = settings.LOGGING["handlers"]["console"]["formatter"]
    configurator = logging.config.DictConfigurator(settings.LOGGING)
    return configurator.configure_formatter(dict(settings.LOGGING["formatters"][name]))


logger_class = AppLogger
