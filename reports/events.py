"""``report.generated``: a billing report made (or made again in place)."""

from events.services import event_emit

from .models import BillingReport


def report_event(report: BillingReport):
    return event_emit(
        type="report.generated",
        data={
            "id": report.pk,
            "customer_id": report.customer_id,
            "start_date": report.start_date,
            "end_date": report.end_date,
            "currency": report.currency,
            "total_amount": str(report.total_amount),
            "order_count": report.order_count,
        },
        customer_id=report.customer_id,
    )
