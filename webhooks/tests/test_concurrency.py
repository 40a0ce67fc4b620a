"""At most one attempt of a delivery in flight: two workers taking the same
due delivery at once make one attempt. In-process threads need MariaDB's row
locks (SQLite's test database is one in-memory connection)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from events.models import Event
from webhooks import services
from webhooks.models import Delivery, DeliveryAttempt, WebhookEndpoint

from .receiver import Receiver, serve

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "mysql", reason="needs MariaDB's row locks"),
]

WORKERS = 4


def test_two_workers_on_one_delivery_make_one_attempt():
    receiver = Receiver(secret="", stall=0.5)
    server = serve(receiver)
    try:
        endpoint = WebhookEndpoint.objects.create(
            url=receiver.url, events=["*"], secret=services.signing.new_secret()
        )
        receiver.secret = endpoint.secret
        event = Event.objects.create(type="invoice.paid", data={"id": 1})
        delivery = Delivery.objects.create(event=event, endpoint=endpoint)
        barrier = threading.Barrier(WORKERS)

        def worker():
            barrier.wait()
            try:
                return services.delivery_attempt(delivery_id=delivery.pk) is not None
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            made = list(pool.map(lambda _: worker(), range(WORKERS)))
    finally:
        server.shutdown()
        server.server_close()
    assert made.count(True) == 1
    assert receiver.most_in_flight == 1 and len(receiver.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)
    assert DeliveryAttempt.objects.count() == 1


def test_an_endpoint_deleted_during_an_attempt_takes_its_delivery_along():
    receiver = Receiver()
    server = serve(receiver)
    try:
        endpoint = WebhookEndpoint.objects.create(
            url=receiver.url, events=["*"], secret=services.signing.new_secret()
        )
        receiver.secret = endpoint.secret

        def delete_endpoint(_client_port):
            try:
                WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
            finally:
                connections.close_all()

        receiver.on_request = delete_endpoint
        event = Event.objects.create(type="invoice.paid", data={"id": 1})
        delivery = Delivery.objects.create(event=event, endpoint=endpoint)
        assert services.delivery_attempt(delivery_id=delivery.pk) is None
    finally:
        server.shutdown()
        server.server_close()
    assert len(receiver.received) == 1
    assert not Delivery.objects.exists() and not DeliveryAttempt.objects.exists()
