"""Reports made on the workers (``generate_reports --queue``): one task per
customer and period, made under the same per-period lock as the command's own
run, so two runs, or a task delivered twice, still leave one report."""

import datetime
import logging
from pathlib import Path

from celery import shared_task
from django.db import DatabaseError

from billing_site.errors import BillingError, ConflictError
from invoices.models import Customer

from .files import ReportFile, report_for_period_with_file

log = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    # Another run holds the period's lock longer than the database wait, or the
    # database failed: later, the report is found made (kept) or made then.
    autoretry_for=(ConflictError, DatabaseError),
    retry_backoff=5,
    max_retries=6,
)
def generate_report(
    customer_id: int,
    start_date: str,
    end_date: str,
    *,
    force: bool = False,
    output_format: str | None = None,
    output_dir: str | None = None,
    renderer_context: dict | None = None,
) -> str:
    """The customer's report of the period (``YYYY-MM-DD`` dates), with its file
    when ``output_format``; returns the outcome: created, replaced, kept, or
    ``failed: <why>`` for an error of the customer's own (not retried)."""
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        log.warning("customer %s was deleted before its report was made", customer_id)
        return "failed: the customer no longer exists"
    file = ReportFile(Path(output_dir), output_format, renderer_context) if output_format else None
    try:
        report, outcome = report_for_period_with_file(
            customer=customer,
            start_date=datetime.date.fromisoformat(start_date),
            end_date=datetime.date.fromisoformat(end_date),
            replace=force,
            file=file,
        )
    except ConflictError:
        raise
    except BillingError as error:
        log.error(
            "report of customer %s for %s to %s: %s", customer_id, start_date, end_date, error
        )
        return f"failed: {error.message}"
    log.info(
        "report %s of customer %s for %s to %s: %s",
        report.pk,
        customer_id,
        start_date,
        end_date,
        outcome,
    )
    return str(outcome)
