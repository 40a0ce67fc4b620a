import pytest
from django.db import transaction

from billing_site.testing import bearer_client
from events.models import Event
from events.services import event_emit
from events.tasks import relay
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import CustomerFactory, UserFactory

from .receiver import Receiver, serve

MANAGE = [
    "api.use_invoices",
    "webhooks.add_webhookendpoint",
    "webhooks.view_webhookendpoint",
    "webhooks.change_webhookendpoint",
    "webhooks.delete_webhookendpoint",
]


@pytest.fixture
def client(db):
    """A user who sees every customer and manages webhook endpoints."""
    return bearer_client(UserFactory(perms=[*MANAGE, VIEW_ALL_CUSTOMERS]))


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def customer_client(customer):
    """A user acting for ``customer`` alone."""
    user = UserFactory(perms=MANAGE)
    customer.users.add(user)
    return bearer_client(user)


@pytest.fixture
def receiver():
    receiver = Receiver()
    server = serve(receiver)
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def emit(django_capture_on_commit_callbacks):
    """Write an event as a ledger change does, and run what its commit starts
    (the relay, then the deliveries' first attempts)."""

    def emit(type="invoice.paid", customer_id=None, data=None):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            event = event_emit(type=type, data=data or {"id": 1}, customer_id=customer_id)
        relay_all(django_capture_on_commit_callbacks)
        return event

    return emit


def relay_all(django_capture_on_commit_callbacks) -> None:
    """Relay what is not relayed yet. Within a test's transaction the relay of a
    second commit can join the first's callback, which already ran (a real
    commit empties that list), so the test relays each time itself."""
    with django_capture_on_commit_callbacks(execute=True):
        relay(list(Event.objects.filter(relayed_at__isnull=True).values_list("pk", flat=True)))


def create_endpoint(client, receiver, **fields) -> dict:
    body = {"url": receiver.url, "events": ["*"], "description": "ours", **fields}
    response = client.post("/api/v1/webhook-endpoints/", body, format="json")
    assert response.status_code == 201, response.content
    receiver.secret = response.json()["secret"]
    return response.json()
