"""Deliveries to a real receiver on 127.0.0.1 that verifies each one with the
``standardwebhooks`` package: signatures, retries on the backoff schedule with
one ``webhook-id``, timeouts, failure, re-sending, disabling, customer scope."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from events.models import Event
from events.tasks import relay
from invoices.tests.factories import CustomerFactory, InvoiceFactory
from payments.services import payment_record
from webhooks import services
from webhooks.models import Delivery, DeliveryAttempt, WebhookEndpoint
from webhooks.tasks import deliver_due

from .conftest import create_endpoint, relay_all
from .test_endpoints_api import URL, rows

pytestmark = pytest.mark.django_db

SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000]


def due_now(delivery: Delivery) -> None:
    """Move the clock to the delivery's next attempt, then run the beat's sweep."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert deliver_due() == 1


def test_a_ledger_change_is_delivered_signed_as_the_standard_says(
    client, receiver, django_capture_on_commit_callbacks
):
    create_endpoint(client, receiver, events=["payment.succeeded", "invoice.paid"])
    invoice = InvoiceFactory(amount=Decimal("100.00"))  # created and issued: not subscribed
    payment_record(invoice_id=invoice.pk, amount=Decimal("100.00"), method="card")
    relay_all(django_capture_on_commit_callbacks)

    assert [r.verified for r in receiver.received] == [True, True]
    paid = Event.objects.get(type="invoice.paid")
    succeeded, invoice_paid = receiver.received
    assert invoice_paid.headers["webhook-id"] == paid.pk
    assert invoice_paid.headers["content-type"] == "application/json"
    assert invoice_paid.payload == {
        "type": "invoice.paid",
        "timestamp": paid.created_at.isoformat(),
        "data": paid.data,
    }
    assert invoice_paid.payload["data"]["balance"] == "0.00"
    assert succeeded.payload["type"] == "payment.succeeded"
    assert set(Delivery.objects.values_list("status", "attempts")) == {("succeeded", 1)}
    assert not Delivery.objects.filter(event__type__startswith="invoice.created").exists()


def test_a_wrong_secret_fails_the_receivers_check(client, receiver, emit):
    create_endpoint(client, receiver)
    receiver.secret = "whsec_" + "QUJD" * 8  # another endpoint's, say
    emit()
    assert [(r.verified, r.answered) for r in receiver.received] == [(False, 401)]
    assert Delivery.objects.get().status == "pending"


def test_failures_are_retried_on_the_schedule_with_one_webhook_id_until_they_fail(
    client, receiver, emit
):
    create_endpoint(client, receiver)
    receiver.fail_first = 100
    event = emit()
    delivery = Delivery.objects.get()
    for failures, wait in enumerate(SCHEDULE, start=1):
        delivery.refresh_from_db()
        last = delivery.attempt_set.last()
        assert (delivery.status, delivery.attempts, delivery.failures) == (
            "pending",
            failures,
            failures,
        )
        assert delivery.last_status_code == 500 and last.status_code == 500
        expected = last.at + datetime.timedelta(seconds=wait)
        assert abs((delivery.next_attempt_at - expected).total_seconds()) < 2, failures
        assert deliver_due() == 0  # not due before its time
        due_now(delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 8, None)
    assert sum(SCHEDULE) / 3600 > 24
    assert {r.headers["webhook-id"] for r in receiver.received} == {event.pk}
    assert len(receiver.received) == 8 and all(r.verified for r in receiver.received)
    # Each attempt signed at its own time, the body the same.
    assert len({r.body for r in receiver.received}) == 1
    excerpt = DeliveryAttempt.objects.first().response_excerpt
    assert len(excerpt.encode()) == 1024 and excerpt.startswith('{"status": 500')


def test_a_receiver_that_recovers_gets_the_event_on_a_retry(client, receiver, emit):
    endpoint = create_endpoint(client, receiver)
    receiver.fail_first = 2
    emit()
    delivery = Delivery.objects.get()
    assert WebhookEndpoint.objects.get().failing_since is not None
    due_now(delivery)
    due_now(delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 3, 204)
    assert [r.answered for r in receiver.received] == [500, 500, 204]
    assert WebhookEndpoint.objects.get().failing_since is None

    listed = rows(client.get(f"{URL}{endpoint['id']}/deliveries/"))
    assert len(listed) == 1
    assert (listed[0]["status"], listed[0]["attempt_count"]) == ("succeeded", 3)
    assert [a["status_code"] for a in listed[0]["attempts"]] == [500, 500, 204]
    assert listed[0]["event_id"] == receiver.received[0].headers["webhook-id"]


def test_a_stalled_receiver_times_out_and_is_tried_again(client, receiver, emit, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.5
    create_endpoint(client, receiver)
    receiver.stall = 1.5
    emit()
    delivery = Delivery.objects.get()
    attempt = delivery.attempt_set.get()
    assert attempt.status_code is None and attempt.error == "Timed out after 0.5 s."
    assert 400 <= attempt.duration_ms < 1400
    assert delivery.status == "pending" and delivery.next_attempt_at > timezone.now()
    receiver.stall = 0
    due_now(delivery)
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"


def test_a_failed_delivery_is_resent_through_the_api_with_its_id(client, receiver, emit, settings):
    settings.WEBHOOKS_RETRY_SCHEDULE = [5]
    endpoint = create_endpoint(client, receiver)
    receiver.fail_first = 2
    event = emit()
    delivery = Delivery.objects.get()
    due_now(delivery)
    delivery.refresh_from_db()
    assert delivery.status == "failed"

    resend = f"{URL}{endpoint['id']}/deliveries/{delivery.pk}/resend"
    # The capture runs the attempt queued on commit, as a worker would.
    response = client.post(resend)
    assert response.status_code == 200, response.content
    delivery.refresh_from_db()
    assert (delivery.status, delivery.failures) == ("pending", 0)
    assert client.post(resend).status_code == 409  # already on its way
    due_now(delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 3)
    assert [r.headers["webhook-id"] for r in receiver.received] == [event.pk] * 3
    assert client.post(f"{URL}{endpoint['id']}/deliveries/999999/resend").status_code == 404
    assert client.post(f"{URL}{endpoint['id']}/deliveries/abc/resend").status_code == 404


def test_an_endpoint_failing_for_five_days_is_disabled_and_says_so(client, receiver, emit):
    endpoint = create_endpoint(client, receiver)
    receiver.fail_first = 100
    emit()
    WebhookEndpoint.objects.update(failing_since=timezone.now() - datetime.timedelta(days=4))
    due_now(Delivery.objects.get())
    assert WebhookEndpoint.objects.get().is_active  # four days: still trying

    WebhookEndpoint.objects.update(
        failing_since=timezone.now() - datetime.timedelta(days=5, seconds=1)
    )
    due_now(Delivery.objects.get())
    shown = client.get(f"{URL}{endpoint['id']}").json()
    assert shown["is_active"] is False and shown["disabled_at"] is not None
    assert shown["disabled_reason"] == "Every delivery failed for 5 days."
    assert Delivery.objects.get().status == "failed"
    emit()
    assert Delivery.objects.count() == 1 and len(receiver.received) == 3  # no more sent

    receiver.fail_first = 0
    on = client.patch(f"{URL}{endpoint['id']}", {"is_active": True}, format="json").json()
    assert (on["is_active"], on["disabled_at"], on["disabled_reason"], on["failing_since"]) == (
        True,
        None,
        "",
        None,
    )
    emit()
    assert Delivery.objects.filter(status="succeeded").count() == 1


def test_an_endpoint_hears_only_its_customers_events(client, customer, customer_client, emit):
    from .receiver import Receiver, serve

    ours, everyones = Receiver(), Receiver()
    servers = [serve(ours), serve(everyones)]
    try:
        create_endpoint(customer_client, ours, customer_id=customer.pk)
        create_endpoint(client, everyones, events=["invoice.paid"])
        other = CustomerFactory()
        emit(customer_id=other.pk)
        emit(customer_id=customer.pk)
        emit(type="bill.paid", customer_id=customer.pk)
        emit(customer_id=None)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    assert [(r.payload["type"]) for r in ours.received] == ["invoice.paid", "bill.paid"]
    assert {json.loads(r.body)["type"] for r in everyones.received} == {"invoice.paid"}
    assert len(everyones.received) == 3
    assert all(r.verified for r in ours.received + everyones.received)


def test_a_target_that_turned_private_is_refused_when_sending(client, receiver, emit, settings):
    """The check is made again at each attempt (a name may resolve elsewhere by then)."""
    create_endpoint(client, receiver)
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    emit()
    attempt = DeliveryAttempt.objects.get()
    assert attempt.status_code is None and attempt.error.startswith("Refused: The host 127.0.0.1")
    assert receiver.received == []
    assert Delivery.objects.get().status == "pending"


def test_no_endpoint_costs_the_relay_one_query(emit, django_assert_num_queries):
    event = emit()
    Event.objects.filter(pk=event.pk).update(relayed_at=None)
    # The event's row locked, the endpoints asked for, the event marked relayed
    # (and the savepoint of the relay's transaction within the test's, and its release).
    with django_assert_num_queries(5) as queries:
        assert relay([event.pk]) == 1
    assert sum("webhooks_webhookendpoint" in query["sql"] for query in queries) == 1


def test_the_handler_runs_twice_without_a_second_delivery(client, receiver, emit):
    create_endpoint(client, receiver)
    event = emit()
    services.deliveries_create(event)
    assert Delivery.objects.count() == 1 and len(receiver.received) == 1


def test_the_deliveries_list_costs_the_same_queries_however_long(
    client, receiver, emit, django_assert_num_queries
):
    endpoint = create_endpoint(client, receiver)
    emit()
    counts = []
    for _ in range(2):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            rows(client.get(f"{URL}{endpoint['id']}/deliveries"))
        counts.append(len(queries))
        for _ in range(4):
            emit()
    # The user, its permissions, the endpoint, a batch of deliveries with their
    # events, their attempts, the request's log row.
    assert counts == [6, 6]
    with django_assert_num_queries(7):  # the count, the page
        assert len(rows(client.get(f"{URL}{endpoint['id']}/deliveries", {"page_size": 2}))) == 2


def test_the_command_sends_due_retries_without_a_beat(client, receiver, emit):
    from django.core.management import call_command

    create_endpoint(client, receiver)
    receiver.fail_first = 1
    emit()
    out = io.StringIO()
    call_command("send_due_webhooks", stdout=out)
    assert out.getvalue() == "0 webhook attempt(s) made.\n"  # not due yet
    Delivery.objects.update(next_attempt_at=timezone.now())
    call_command("send_due_webhooks", stdout=out)
    assert out.getvalue().endswith("1 webhook attempt(s) made.\n")
    assert Delivery.objects.get().status == "succeeded"


def test_the_beat_sends_due_retries_every_ten_seconds(settings):
    from billing_site.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["send-due-webhooks"]
    app.loader.import_default_modules()
    assert entry == {"task": "webhooks.tasks.deliver_due", "schedule": 10.0}
    assert entry["task"] in app.tasks
