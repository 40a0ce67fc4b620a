"""The bill events. ``bill.created`` is written by ``bill_create``; a bill's
invoice paid or voided through any face is the bill paid or cancelled, so those
two are derived from the invoice's events in the same transaction."""

from billing_site.compiled_query import CompiledValuesQuery
from billing_site.money import format_amount
from events import registry
from events.services import event_emit
from invoices.models import Invoice

from .models import Bill


def bill_data(bill: Bill) -> dict:
    invoice = bill.invoice
    return {
        "bill_no": bill.bill_no,
        "collection": bill.collection.code,
        "invoice_id": invoice.pk,
        "invoice_number": invoice.number,
        "ref1": bill.ref1,
        "ref2": bill.ref2,
        "status": invoice.display_status,
        "currency": invoice.currency,
        "amount": format_amount(invoice.total, invoice.currency),
        "paid_amount": format_amount(invoice.amount_paid, invoice.currency),
        "due": invoice.due_date,
        # A recurring series, as the bill object shows it: the master's id on a
        # bill it issued, a master's next date or the period a bill of it bills.
        "recurring": bill.recurring,
        "master_bill": bill.master_bill_id,
        "rbill_date": bill.rbill_date,
    }


def bill_event(event_type: str, bill: Bill):
    return event_emit(type=event_type, data=bill_data(bill), customer_id=bill.invoice.customer_id)


# Whether an invoice is a bill's, asked on every payment that pays an invoice off
# (the gateway's path): compiled once, since building and compiling the ORM query
# cost more than the database's answer. Most invoices are no bill's.
_BILL_OF_INVOICE = CompiledValuesQuery(
    lambda invoice_id: Bill.objects.filter(invoice_id=invoice_id).values("pk"),
    invoice_id=-7_919_000_001,  # no invoice's id
)


def _read_without_a_bill(invoice: Invoice | None) -> bool:
    """Whether the invoice was read knowing that it is no bill's (``invoice.bill``
    cached as none, as the gateway's locked read leaves it): then no lookup is
    needed. A bill's invoice is created with it, so an invoice read without one
    never gets one."""
    bill = Invoice.bill.related
    return (
        invoice is not None and bill.is_cached(invoice) and bill.get_cached_value(invoice) is None
    )


def _of_the_bill(event_type: str):
    def derive(invoice_event):
        if _read_without_a_bill(getattr(invoice_event, "subject", None)):
            return
        invoice_id = invoice_event.data.get("id")  # every invoice event names it
        found = invoice_id is not None and _BILL_OF_INVOICE.rows(invoice_id=invoice_id)
        if found:
            bill = Bill.objects.select_related("collection", "invoice").get(pk=found[0]["pk"])
            bill_event(event_type, bill)

    return derive


def register() -> None:
    registry.derive("invoice.paid", _of_the_bill("bill.paid"))
    registry.derive("invoice.voided", _of_the_bill("bill.cancelled"))
