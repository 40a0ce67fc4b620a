"""The clients generated from the live schema (scripts/clients.sh: the Python
client and the TypeScript types) run the main flow against a real server with
the demo data."""

import re

import pytest

from billing_site.testing import (
    generated_clients_unavailable,
    http_call,
    run_generated_client_flow,
    serve,
    tool_missing,
)
from payments.demo import ADMIN

pytestmark = pytest.mark.server

STEPS = [
    "login",
    "getAllBilling (unpaid)",
    "checkPaymentStatus",
    "updatePaymentStatus",
    "updatePaymentStatus (again)",
    "getAllBilling (paid)",
    "createCustomer",
    "createInvoice",
    "issueInvoice",
    "listInvoices",
    "checkPaymentStatus (new invoice)",
    "listServices",
    "createOrder",
    "createOrder",
    "generateReport",
    "getReport",
    "downloadReport (CSV)",
    "downloadReport (PDF)",
]


def test_the_generated_clients_run_the_flow_on_a_demo_server(tmp_path):
    if reason := generated_clients_unavailable():
        tool_missing(reason)
    with serve(tmp_path, workers=2) as server:
        output = run_generated_client_flow(server.base, *ADMIN)
        run = re.search(r"createOrder FLOW-(\w+)-1", output).group(1)
        status, customers = http_call(
            f"{server.base}/api/v1/customers/?account_number=FLOW-{run}", token=server.token
        )
        assert status == 200 and len(customers) == 1
        status, reports = http_call(
            f"{server.base}/api/v2/reports/?customer_id={customers[0]['id']}", token=server.token
        )
    assert status == 200
    assert [(report["order_count"], report["total_amount"]) for report in reports] == [(2, 27.5)]
    done = [line[4:].split(":")[0].split(" FLOW-")[0] for line in output.splitlines()[:-1]]
    assert done == STEPS
    assert output.splitlines()[-1] == "The client flow passed."
