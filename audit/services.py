import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import RequestLog

logger = logging.getLogger(__name__)


def request_log_write(**fields) -> RequestLog | None:
    """Store one request's log row. A failure is logged, never raised: losing a
    log row must not fail the request it describes."""
    try:
        return RequestLog.objects.create(**fields)
    except Exception:
        logger.exception(
            "Could not write the request log row for %s %s (request id %s)",
            fields.get("method"),
            fields.get("endpoint"),
            fields.get("request_id"),
        )
        return None


def request_log_purge(*, older_than_days: int, batch_size: int = 5000, progress=None) -> int:
    """Delete log rows older than ``older_than_days`` in batches, so no single
    statement locks the table for long. Returns how many rows were deleted."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted = 0
    while True:
        ids = list(
            RequestLog.objects.filter(timestamp__lt=cutoff)
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        with transaction.atomic():
            deleted += RequestLog.objects.filter(id__in=ids).delete()[0]
        if progress:
            progress(deleted)
