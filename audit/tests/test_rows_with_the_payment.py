"""A gateway payment's log row is written in the payment's own transaction on
MariaDB, whose commit puts it on disk: no sync of the spool's own before the
answer. Whatever does not commit with it is logged as any request is."""

import copy
import json

import pytest
from django.db import connection

from audit.models import RequestLog
from audit.spool import SUFFIX, complete_lines
from billing_site import compiled_writes
from billing_site.testing import RoundTrips, bearer_client
from invoices.models import Invoice
from invoices.tests.factories import InvoiceFactory, UserFactory
from payments.models import Payment

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "mysql", reason="MariaDB's deferred writes"),
]


@pytest.fixture
def spooled(synced_spool):
    """The spool's file syncs, on a server whose commits are synced."""
    if not connection.commits_durably():
        pytest.skip("this server's commits are not synced: every payment's row is spooled")
    return synced_spool


def spooled_ids(tmp_path) -> list[str]:
    data = b"".join(path.read_bytes() for path in tmp_path.glob("*" + SUFFIX))
    return [row["request_id"] for row in complete_lines(data)[0]]


def update(client, invoice, request_id):
    return client.post(
        "/updatePaymentStatus",
        {"orderID": invoice.order_id, "billingNumber": invoice.number},
        format="json",
        HTTP_X_REQUEST_ID=request_id,
    )


def test_a_payment_stores_its_row_with_its_commit_and_syncs_no_file(
    gateway_client, spooled, tmp_path
):
    invoice = InvoiceFactory()
    response = update(gateway_client, invoice, "paid-with-its-row")
    assert response.status_code == 200
    assert spooled == []  # no sync of the spool's own: the commit synced the row
    assert "paid-with-its-row" not in spooled_ids(tmp_path)
    # In the table as the answer left, without the writer thread.
    row = RequestLog.objects.get(request_id="paid-with-its-row")
    assert (row.endpoint, row.method, row.status_code) == ("/updatePaymentStatus", "POST", 200)
    assert row.response_body == response.content.decode()
    sent = {"orderID": invoice.order_id, "billingNumber": invoice.number}
    assert json.loads(row.request_body) == sent
    assert row.user_id == response.wsgi_request.user.pk
    assert row.duration_ms > 0
    # A read moves no money: spooled, not synced, not in its transaction.
    gateway_client.post(
        "/checkPaymentStatus",
        {"orderID": invoice.order_id, "billingNumber": invoice.number},
        format="json",
        HTTP_X_REQUEST_ID="read-after",
    )
    assert spooled == [] and "read-after" in spooled_ids(tmp_path)


def test_where_commits_are_not_synced_the_row_is_spooled_and_synced(
    gateway_client, spooled, tmp_path, monkeypatch
):
    monkeypatch.setattr(connection, "commits_durably", lambda: False)
    response = update(gateway_client, InvoiceFactory(), "commit-not-synced")
    assert response.status_code == 200
    assert len(spooled) == 1
    assert spooled_ids(tmp_path) == ["commit-not-synced"]


def test_a_payment_under_an_idempotency_key_is_spooled_and_synced(
    gateway_client, spooled, tmp_path
):
    """Its answer is kept in a transaction around the payment's, which commits
    after the row would have been written."""
    invoice = InvoiceFactory()
    response = gateway_client.post(
        "/updatePaymentStatus",
        {"orderID": invoice.order_id, "billingNumber": invoice.number},
        format="json",
        HTTP_X_REQUEST_ID="keyed",
        HTTP_IDEMPOTENCY_KEY="pay-once",
    )
    assert response.status_code == 200
    assert len(spooled) == 1
    assert spooled_ids(tmp_path) == ["keyed"]


def test_a_refused_payment_is_logged_as_any_request(gateway_client, spooled, tmp_path):
    invoice = InvoiceFactory()
    assert update(gateway_client, invoice, "first").status_code == 200
    assert update(gateway_client, invoice, "again").status_code == 400  # already paid
    assert RequestLog.objects.filter(request_id="first").count() == 1
    assert spooled_ids(tmp_path) == ["again"] and spooled == []


def test_a_payment_of_a_user_limited_to_its_customers_stores_its_row_with_its_commit(
    spooled, tmp_path, monkeypatch
):
    invoice = InvoiceFactory()
    user = UserFactory(perms=["api.use_gateway"])
    invoice.customer.users.add(user)
    trips = RoundTrips(monkeypatch)
    assert update(bearer_client(user), invoice, "limited").status_code == 200
    # Its record read, its invoice locked, paid and the row, in one transaction.
    end = next(index for index, sent in enumerate(trips.sent) if sent[-1] == "COMMIT")
    assert not any("SAVEPOINT" in sent for sent in trips.sent[: end + 1])
    assert any("INTO `logs`" in statement for statement in trips.statements[end])
    assert Payment.objects.get(invoice=invoice).recorded_by == user
    assert spooled == [] and spooled_ids(tmp_path) == []
    assert RequestLog.objects.get(request_id="limited").user_id == user.pk


def test_a_payment_whose_commit_fails_logs_the_answer_the_client_gets(
    gateway_client, spooled, tmp_path, monkeypatch
):
    """The invoice's update misses its row, so MariaDB's check stops the COMMIT
    sent with the payment's log row: the payment and that row roll back, and
    the 500 the client gets is logged, synced, as a request that moved money."""
    assert update(gateway_client, InvoiceFactory(), "before").status_code == 200
    real = compiled_writes.update

    def missing_its_row(row, fields, **options):
        if isinstance(row, Invoice):
            row = copy.copy(row)
            row.pk = 10**12
        return real(row, fields, **options)

    monkeypatch.setattr(compiled_writes, "update", missing_its_row)
    invoice = InvoiceFactory()
    gateway_client.raise_request_exception = False
    trips = RoundTrips(monkeypatch)
    response = update(gateway_client, invoice, "commit-failed")
    assert response.status_code == 500
    (failed,) = [sent for sent in trips.statements if sent[-1].strip() == "COMMIT"]
    assert any("INTO `logs`" in statement for statement in failed)
    assert not Payment.objects.filter(invoice=invoice).exists()
    assert not RequestLog.objects.filter(request_id="commit-failed").exists()
    assert len(spooled) == 1
    rows = complete_lines(b"".join(p.read_bytes() for p in tmp_path.glob("*" + SUFFIX)))[0]
    assert [(row["request_id"], row["status_code"]) for row in rows] == [("commit-failed", 500)]
