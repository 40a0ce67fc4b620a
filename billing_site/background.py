"""Queueing background work: on the broker when there is one; without one (the
embedded default), in this process, at once. Callers queue from
``transaction.on_commit``, so the work sees what the transaction wrote."""

from django.conf import settings


def run_later(task, *args, **kwargs) -> None:
    """``task(*args, **kwargs)`` on a worker, or here and now without a broker
    (called directly: no producer, connection pool or result to make)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        task(*args, **kwargs)
    else:
        task.delay(*args, **kwargs)
