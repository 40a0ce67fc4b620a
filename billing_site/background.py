"""Queueing background work: on the broker when there is one; without one (the
embedded default), in this process, at once. Callers queue from
``transaction.on_commit``, so the work sees what the transaction wrote."""

from django.db import transaction


def run_later(task, *args, **kwargs) -> None:
    """``task(*args, **kwargs)`` on a worker, or here and now without a broker:
    applied in this process as a worker would run it (its retries included, its
    failure logged), without asking for a connection to a broker there is not."""
    if task.app.conf.task_always_eager:  # CELERY_TASK_ALWAYS_EAGER: no broker
        task.apply(args=args, kwargs=kwargs)
    else:
        task.delay(*args, **kwargs)


def run_after_commit(task, *args) -> None:
    """``run_later`` once the current transaction commits. A failure to queue (the
    broker down) is logged, never raised to the caller, whose change committed:
    a sweep of the beat's finds the work again."""

    def queue():
        run_later(task, *args)

    transaction.on_commit(queue, robust=True)
