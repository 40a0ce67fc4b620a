"""The API's main flow through the generated Python client alone (the package
``billing_api_client`` that scripts/clients.sh generates from the live schema).

    .venv-clients/bin/python clients/python_flow.py BASE_URL [--username U] [--password P]

Logs in; pays an unpaid billing record through the payment gateway; creates a
customer of its own (so that its invoice, orders and report hold nothing else),
an invoice that it issues, two orders, and a report on them, which it reads
and downloads as CSV and PDF. Each step's status and key fields are checked.
Exit status: 0 when every step answered as expected; 1 with the failed step on
stderr; 2 for wrong arguments. Works on a database loaded by ``manage.py
seed_demo`` and on any later state of it: it uses only the ids it creates or
reads."""

import argparse
import datetime
import importlib
import os
import pkgutil
import sys
import traceback
import uuid
from decimal import Decimal
from importlib.util import find_spec

import billing_api_client.api as endpoints
import httpx
from billing_api_client import AuthenticatedClient, Client
from billing_api_client.models import (
    BillingRecord,
    BillingReferenceRequest,
    CustomerRequest,
    DownloadReportFormat,
    GenerateReportRequest,
    GetAllBillingStatus,
    InvoiceWriteRequest,
    InvoiceWriteStatusEnum,
    LineItemInputRequest,
    LoginRequest,
    OrderInputRequest,
    ServiceCostInputRequest,
)

# Report PDFs are drawn on request: more than httpx's default five seconds.
TIMEOUT = httpx.Timeout(60.0)
CSV_HEADER = "order_id,service_id,service_name,amount"
SCHEME = "Bearer"


class FlowFailed(Exception):
    """A step answered otherwise than expected."""


class Operations:
    """The generated client's operations by name (``ops.check_payment_status``
    for ``checkPaymentStatus``), whichever tag's package holds each: the schema
    keeps its operation ids; its tags may regroup them."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        for package in pkgutil.iter_modules(endpoints.__path__):
            path = f"{endpoints.__name__}.{package.name}.{name}"
            if find_spec(path) is not None:
                module = importlib.import_module(path)
                setattr(self, name, module)
                return module
        raise FlowFailed(f"the generated client has no operation {name}")


ops = Operations()


def answer(response, status: int, step: str):
    """The parsed body of ``response`` if it has ``status``; else the step fails
    with what the server said."""
    if response.status_code != status:
        body = response.content[:500].decode(errors="replace")
        raise FlowFailed(f"{step}: expected HTTP {status}, got {response.status_code}: {body}")
    return response.parsed


def check(condition: bool, step: str, message: str) -> None:
    if not condition:
        raise FlowFailed(f"{step}: {message}")


def done(step: str, what: str) -> None:
    print(f"ok  {step}: {what}")


def money(value) -> Decimal:
    """An amount from a JSON number or string, compared as a decimal."""
    return Decimal(str(value))


def log_in(base_url: str, username: str, password: str) -> AuthenticatedClient:
    client = Client(base_url=base_url, timeout=TIMEOUT)
    body = LoginRequest(username=username, password=password)
    tokens = answer(ops.login.sync_detailed(client=client, body=body), 200, "login")
    check(bool(tokens.access_token), "login", "no access_token")
    check(tokens.token_type == SCHEME, "login", f"token_type {tokens.token_type!r}")
    done("login", f"a Bearer token for {username}, valid {tokens.expires_in} s")
    return AuthenticatedClient(base_url=base_url, token=tokens.access_token, timeout=TIMEOUT)


def reference(record) -> BillingReferenceRequest:
    return BillingReferenceRequest(billing_number=record.billing_number, orderID=record.order_id)


def same_record(record: BillingRecord, other: BillingRecord) -> bool:
    return (record.billing_number, record.order_id) == (other.billing_number, other.order_id)


def pay_a_billing_record(api: AuthenticatedClient) -> None:
    """The gateway: check an unpaid record, pay it, see it paid, and refused a
    second time. The newest unpaid record is paid, so that the demo data's
    older ones (the document's sample among them) are left for other clients."""
    step = "getAllBilling (unpaid)"
    unpaid = answer(
        ops.get_all_billing.sync_detailed(client=api, status=GetAllBillingStatus.UNPAID), 200, step
    )
    check(bool(unpaid), step, "no unpaid billing record to pay (load the demo data)")
    check(all(row.payment_status == "unpaid" for row in unpaid), step, "a paid record listed")
    record = unpaid[-1]
    done(step, f"{len(unpaid)} records, paying order {record.order_id}")

    step = "checkPaymentStatus"
    found = answer(
        ops.check_payment_status.sync_detailed(client=api, body=reference(record)), 200, step
    )
    check(same_record(found, record), step, f"another record: {found.to_dict()}")
    check((found.success, found.message) == ("true", "successful"), step, str(found.to_dict()))
    check(found.payment_status == "unpaid", step, f"status {found.payment_status}")
    check(found.payment_amount == record.payment_amount, step, f"amount {found.payment_amount}")
    done(step, f"{found.payment_amount} {found.currency} unpaid")

    step = "updatePaymentStatus"
    paid = answer(
        ops.update_payment_status.sync_detailed(
            client=api, body=reference(record), idempotency_key=uuid.uuid4().hex
        ),
        200,
        step,
    )
    check(same_record(paid, record), step, f"another record: {paid.to_dict()}")
    check(paid.message == "payment is successful", step, f"message {paid.message!r}")
    check(paid.payment_status == "paid", step, f"status {paid.payment_status}")
    done(step, "paid")

    step = "updatePaymentStatus (again)"
    refused = answer(
        ops.update_payment_status.sync_detailed(client=api, body=reference(record)), 400, step
    )
    check(refused.message == "payment is already paid", step, f"message {refused.message!r}")
    done(step, "refused: already paid")

    step = "getAllBilling (paid)"
    rows = answer(
        ops.get_all_billing.sync_detailed(client=api, status=GetAllBillingStatus.PAID), 200, step
    )
    listed = [row for row in rows if same_record(row, record)]
    check(len(listed) == 1, step, f"order {record.order_id} listed {len(listed)} times")
    check(listed[0].message == "retrieved successfully", step, f"message {listed[0].message!r}")
    done(step, f"order {record.order_id} among {len(rows)} paid records")


def invoice_a_new_customer(api: AuthenticatedClient, run: str):
    """The invoices face: a customer of this run's own, a draft invoice issued;
    the gateway sees it as an unpaid record. Returns the customer."""
    step = "createCustomer"
    customer = answer(
        ops.create_customer.sync_detailed(
            client=api,
            body=CustomerRequest(
                name=f"Client flow {run}",
                account_number=f"FLOW-{run}",
                email=f"flow-{run}@example.com",
                email_documents=False,
            ),
        ),
        201,
        step,
    )
    check(customer.account_number == f"FLOW-{run}", step, str(customer.to_dict()))
    done(step, f"customer {customer.id}")

    step = "createInvoice"
    today = datetime.date.today()
    draft = answer(
        ops.create_invoice.sync_detailed(
            client=api,
            body=InvoiceWriteRequest(
                customer_id=customer.id,
                date=today,
                due_date=today + datetime.timedelta(days=30),
                status=InvoiceWriteStatusEnum.DRAFT,
                line_items=[
                    LineItemInputRequest(
                        description="Widget", quantity="2", price="50.00", tax_rate="10"
                    )
                ],
            ),
        ),
        201,
        step,
    )
    check(draft.status == "draft", step, f"status {draft.status}")
    totals = [money(draft.subtotal), money(draft.tax), money(draft.total)]
    check(totals == [100, 10, 110], step, f"subtotal, tax, total {totals}")
    done(step, f"draft {draft.number}, total {draft.total} {draft.currency}")

    step = "issueInvoice"
    issued = answer(ops.issue_invoice.sync_detailed(draft.id, client=api), 200, step)
    check(issued.status == "open", step, f"status {issued.status}")
    check(money(issued.balance) == 110, step, f"balance {issued.balance}")
    done(step, f"{issued.number} open")

    step = "listInvoices"
    invoices = answer(
        ops.list_invoices.sync_detailed(client=api, customer_id=customer.id), 200, step
    )
    check([invoice.id for invoice in invoices] == [issued.id], step, "not just the new invoice")
    done(step, f"the customer's one invoice {issued.number}")

    step = "checkPaymentStatus (new invoice)"
    body = BillingReferenceRequest(billing_number=issued.number, orderID=issued.order_id)
    record = answer(ops.check_payment_status.sync_detailed(client=api, body=body), 200, step)
    check(record.payment_status == "unpaid", step, f"status {record.payment_status}")
    check(money(record.payment_amount) == 110, step, f"amount {record.payment_amount}")
    done(step, "the gateway sees it unpaid")
    return customer


def report_on_orders(api: AuthenticatedClient, customer, run: str) -> None:
    """The reports face: two orders of the customer, a report on them, read and
    downloaded as CSV and PDF."""
    step = "listServices"
    services = answer(ops.list_services.sync_detailed(client=api), 200, step)
    check(len(services) >= 2, step, "fewer than two services (load the demo data)")
    first, second = services[0].id, services[1].id
    done(step, f"services {first} and {second}")

    today = datetime.date.today()
    costs = {f"FLOW-{run}-1": ("12.50", "7.25"), f"FLOW-{run}-2": ("0.85", "6.90")}
    for reference_number, (one, two) in costs.items():
        step = f"createOrder {reference_number}"
        order = answer(
            ops.create_order.sync_detailed(
                client=api,
                body=OrderInputRequest(
                    customer_id=customer.id,
                    reference_number=reference_number,
                    order_date=today,
                    service_costs=[
                        ServiceCostInputRequest(service_id=first, amount=one),
                        ServiceCostInputRequest(service_id=second, amount=two),
                    ],
                ),
            ),
            201,
            step,
        )
        expected = Decimal(one) + Decimal(two)
        check(money(order.total_amount) == expected, step, f"total {order.total_amount}")
        done(step, f"order {order.id}, {order.total_amount}")

    step = "generateReport"
    start = today - datetime.timedelta(days=30)
    report = answer(
        ops.generate_report.sync_detailed(
            client=api,
            body=GenerateReportRequest(customer_id=customer.id, start_date=start, end_date=today),
        ),
        201,
        step,
    )
    total = sum(Decimal(amount) for amounts in costs.values() for amount in amounts)
    check(report.customer_id == customer.id, step, f"customer {report.customer_id}")
    check(money(report.total_amount) == total, step, f"total {report.total_amount}, not {total}")
    references = sorted(order.reference_number for order in report.orders)
    check(references == sorted(costs), step, f"orders {references}")
    done(step, f"report {report.id}, total {report.total_amount}")

    step = "getReport"
    read = answer(ops.get_report.sync_detailed(str(report.id), client=api), 200, step)
    check(read.id == report.id, step, f"report {read.id}")
    check(money(read.total_amount) == total, step, f"total {read.total_amount}")
    check(len(read.orders) == 2, step, f"{len(read.orders)} orders")
    done(step, f"report {read.id} with {len(read.orders)} orders")

    step = "downloadReport (CSV)"
    csv = ops.download_report.sync_detailed(
        str(report.id), client=api, format_=DownloadReportFormat.CSV
    )
    answer(csv, 200, step)
    check(csv.headers["content-type"].startswith("text/csv"), step, csv.headers["content-type"])
    lines = csv.content.decode().splitlines()
    check(lines[0] == CSV_HEADER, step, f"header {lines[0]!r}")
    check(len(lines) == 5, step, f"{len(lines) - 1} rows, not one per service cost (4)")
    done(step, f"{len(lines) - 1} rows")

    step = "downloadReport (PDF)"
    pdf = ops.download_report.sync_detailed(
        str(report.id), client=api, format_=DownloadReportFormat.PDF
    )
    answer(pdf, 200, step)
    check(pdf.headers["content-type"] == "application/pdf", step, pdf.headers["content-type"])
    check(pdf.content.startswith(b"%PDF-"), step, "not a PDF")
    done(step, f"{len(pdf.content)} bytes of PDF")


def run(base_url: str, username: str, password: str) -> None:
    run_id = uuid.uuid4().hex[:10]
    api = log_in(base_url, username, password)
    with api:
        pay_a_billing_record(api)
        customer = invoice_a_new_customer(api, run_id)
        report_on_orders(api, customer, run_id)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--username", default=os.environ.get("BILLING_API_USERNAME", "admin"))
    parser.add_argument(
        "--password",
        default=os.environ.get("BILLING_API_PASSWORD", "password"),
        help="default: $BILLING_API_PASSWORD, else the demo admin's",
    )
    args = parser.parse_args(argv)
    try:
        run(args.base_url.rstrip("/"), args.username, args.password)
    except FlowFailed as failure:
        print(f"FAILED {failure}", file=sys.stderr)
        return 1
    except httpx.HTTPError as error:
        print(f"FAILED: no answer from {args.base_url}: {error!r}", file=sys.stderr)
        return 1
    except Exception:  # the generated client could not read an answer
        traceback.print_exc()
        print("FAILED: an answer the generated client could not read (above)", file=sys.stderr)
        return 1
    print("The client flow passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
