from decimal import Decimal

import pytest
from django.db import connection

from billing_site.testing import RoundTrips, bearer_client
from invoices.models import Invoice
from invoices.tests.factories import InvoiceFactory, UserFactory
from payments.models import Payment
from payments.services import payment_record

pytestmark = pytest.mark.django_db


def update(client, invoice):
    return client.post(
        "/updatePaymentStatus",
        {"orderID": invoice.order_id, "billingNumber": invoice.number},
        format="json",
    )


def test_update_pays_the_invoice_and_records_one_payment(gateway_client, gateway_user):
    invoice = InvoiceFactory(
        amount=Decimal("50000"), currency="IQD", number="333333", order_id="4499494"
    )
    response = update(gateway_client, invoice)
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "payment is successful"
    assert body["paymentStatus"] == "paid"
    assert body["success"] == "true"
    assert body["paymentAmount"] == "50000.00"
    assert body["customerAccountName"] == invoice.customer.name
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert invoice.amount_paid == Decimal("50000")
    assert invoice.balance == 0
    assert invoice.paid_at is not None
    payment = Payment.objects.get(invoice=invoice)
    assert payment.amount == Decimal("50000")
    assert payment.currency == "IQD"
    assert payment.method == Payment.Method.GATEWAY
    assert payment.recorded_by == gateway_user


def test_update_answers_the_record_check_gave_but_paid(gateway_client):
    invoice = InvoiceFactory(amount=Decimal("10.37"), description="Fibre, June")
    payload = {"orderID": invoice.order_id, "billingNumber": invoice.number}
    checked = gateway_client.post("/checkPaymentStatus", payload, format="json").json()
    paid = update(gateway_client, invoice).json()
    assert list(paid) == list(checked)  # the same keys in the same order
    assert {**checked, "message": paid["message"], "paymentStatus": "paid"} == paid
    assert (checked["paymentStatus"], paid["paymentStatus"]) == ("unpaid", "paid")


def test_update_of_a_paid_invoice_is_400_and_records_nothing(gateway_client):
    invoice = InvoiceFactory()
    assert update(gateway_client, invoice).status_code == 200
    response = update(gateway_client, invoice)
    assert response.status_code == 400
    assert response.json() == {"success": "false", "message": "payment is already paid"}
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_a_partly_paid_invoice_asks_for_and_collects_its_balance(gateway_client):
    invoice = InvoiceFactory(amount=Decimal("110.00"))
    payment_record(invoice_id=invoice.pk, amount=Decimal("10.01"), method="cash")
    check = gateway_client.post(
        "/checkPaymentStatus",
        {"orderID": invoice.order_id, "billingNumber": invoice.number},
        format="json",
    ).json()
    assert (check["paymentAmount"], check["paymentStatus"]) == ("99.99", "unpaid")
    response = update(gateway_client, invoice)
    assert response.status_code == 200
    assert (response.json()["paymentAmount"], response.json()["paymentStatus"]) == (
        "110.00",
        "paid",
    )
    amounts = sorted(Payment.objects.filter(invoice=invoice).values_list("amount", flat=True))
    assert amounts == [Decimal("10.01"), Decimal("99.99")]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("paid", Decimal("110.00"))


@pytest.mark.parametrize("status", ["void", "draft"])
def test_a_void_or_draft_invoice_is_no_billing_record(gateway_client, status):
    invoice = InvoiceFactory()
    Invoice.objects.filter(pk=invoice.pk).update(status=status)
    for path in ("/checkPaymentStatus", "/updatePaymentStatus"):
        response = gateway_client.post(
            path, {"orderID": invoice.order_id, "billingNumber": invoice.number}, format="json"
        )
        assert response.status_code == 404
    assert not Payment.objects.exists()


def test_update_of_an_unknown_record_is_404(gateway_client):
    response = gateway_client.post(
        "/updatePaymentStatus", {"orderID": 1, "billingNumber": 2}, format="json"
    )
    assert response.status_code == 404
    assert response.json() == {
        "success": "false",
        "message": "Order ID or Billing Number not found",
    }


def test_update_validates_like_check(gateway_client):
    response = gateway_client.post("/updatePaymentStatus", {"orderId": 0}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "Order ID and Billing Number are required"


def test_the_gateway_permission_alone_pays_a_linked_customers_invoice():
    invoice = InvoiceFactory()
    user = UserFactory(perms=["api.use_gateway"])
    invoice.customer.users.add(user)
    assert update(bearer_client(user), invoice).status_code == 200
    assert Payment.objects.get(invoice=invoice).recorded_by == user


def test_update_cannot_pay_another_customers_invoice():
    other = InvoiceFactory()
    user = UserFactory(perms=["api.use_gateway"])
    InvoiceFactory().customer.users.add(user)
    assert update(bearer_client(user), other).status_code == 404
    assert not Payment.objects.exists()


def test_update_of_a_zero_total_invoice_marks_it_paid_without_a_payment(gateway_client):
    invoice = InvoiceFactory(amount=Decimal("0"))
    assert update(gateway_client, invoice).status_code == 200
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert not Payment.objects.exists()


def test_an_update_runs_a_constant_number_of_queries(gateway_client, django_assert_num_queries):
    first, second = InvoiceFactory(), InvoiceFactory()
    update(gateway_client, first)
    # user, permissions; in the payment's transaction (here the test's savepoint
    # and its release): the record read with its invoice locked (and whether it
    # is a bill's), the payment, the invoice paid, both events in one insert;
    # the log row
    with django_assert_num_queries(9) as captured:
        response = update(gateway_client, second)
    assert response.status_code == 200
    statements = [query["sql"].split()[0] for query in captured.captured_queries]
    assert statements.count("INSERT") == 3  # the payment, the events, the log row
    assert statements.count("SAVEPOINT") == 1  # none around the payment's insert
    # The record is read once, in the transaction, locked (the SQL's FOR UPDATE
    # where the database has one).
    reads = [query["sql"] for query in captured.captured_queries[2:]]
    records = [sql for sql in reads if "invoices_customer" in sql]
    assert len(records) == 1 and reads.index(records[0]) == 1  # right after the savepoint
    assert ("FOR UPDATE" in records[0]) == (connection.vendor == "mysql")
    assert "ORDER BY" not in records[0]  # its subqueries find one row by its key
    # No read of its bill: the locked read said it has none.
    assert [sql for sql in reads if sql.startswith("SELECT")] == records


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "mysql", reason="MariaDB's round trips")
def test_an_update_settles_in_three_round_trips_on_mariadb(gateway_client, monkeypatch):
    """What the payment's transaction sends: the record locked (with START
    TRANSACTION; whether it is a bill's is read with it), the payment (whose id
    the database gives), the invoice paid (MariaDB checks that it touched its
    row), both events, the request's log row and the COMMIT.
    (Without a broker the events' relay runs next, in this process.)"""
    first, second = InvoiceFactory(), InvoiceFactory()
    update(gateway_client, first)
    if not connection._mariadb:
        pytest.skip("MySQL checks the invoice's update in a round trip of its own")
    trips = RoundTrips(monkeypatch)
    assert update(gateway_client, second).status_code == 200
    start = trips.sent.index(["START", "SELECT"])
    assert trips.sent[start : start + 3] == [
        ["START", "SELECT"],
        ["INSERT"],
        ["UPDATE", "IF", "INSERT", "INSERT", "COMMIT"],
    ]
    assert "INTO `logs`" in trips.statements[start + 2][3]
    second.refresh_from_db()
    assert second.status == Invoice.Status.PAID


def test_an_update_writes_its_events_in_one_insert_in_their_order(gateway_client):
    from events.models import Event

    invoice = InvoiceFactory()
    before = set(Event.objects.values_list("pk", flat=True))
    assert update(gateway_client, invoice).status_code == 200
    written = [event for event in Event.objects.all() if event.pk not in before]
    assert [event.type for event in written] == ["payment.succeeded", "invoice.paid"]
    assert written[1].data["status"] == "paid" and written[1].data["balance"] == "0.00"
