"""The endpoints resource through HTTP: create (the secret once), read, change,
delete; bad input; private targets; customer scope; constant queries."""

import base64
import json

import pytest

from billing_site.testing import bearer_client
from invoices.tests.factories import CustomerFactory, UserFactory
from webhooks.models import WebhookEndpoint

from .conftest import MANAGE, create_endpoint

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhook-endpoints/"


def rows(response) -> list:
    """A list's rows, streamed or paged."""
    if response.streaming:
        return json.loads(b"".join(response.streaming_content))
    return response.json()


def test_create_shows_the_secret_once_then_read_change_and_delete(client, receiver):
    created = create_endpoint(client, receiver, events=["invoice.paid", "payment.succeeded"])
    secret = created["secret"]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    assert created["events"] == ["invoice.paid", "payment.succeeded"]
    assert (created["customer_id"], created["is_active"], created["disabled_at"]) == (
        None,
        True,
        None,
    )
    detail = client.get(f"{URL}{created['id']}/")
    assert detail.status_code == 200 and "secret" not in detail.json()
    listed = rows(client.get(URL))
    assert [row["id"] for row in listed] == [created["id"]] and "secret" not in listed[0]

    changed = client.patch(
        f"{URL}{created['id']}", {"events": ["*"], "description": "all"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["events"], changed.json()["description"]) == (["*"], "all")
    assert "secret" not in changed.json()

    rotated = client.post(f"{URL}{created['id']}/rotate-secret")
    assert rotated.status_code == 200 and rotated.json()["secret"] not in ("", secret)
    assert WebhookEndpoint.objects.get().secret == rotated.json()["secret"]

    assert client.put(f"{URL}{created['id']}/", {}, format="json").status_code == 405
    assert client.delete(f"{URL}{created['id']}/").status_code == 204
    assert client.get(f"{URL}{created['id']}/").status_code == 404
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"events": ["*"]}, "url", "This field is required."),
        ({"url": "ftp://example.com/x", "events": ["*"]}, "url", "Only http and https"),
        ({"url": "http://example.com/x", "events": ["invoice.lost"]}, "events", "not a valid"),
        ({"url": "http://example.com/x", "events": []}, "events", "may not be empty"),
        ({"url": "http://example.com/x", "events": "*"}, "events", "Expected a list"),
        ({"url": "http://example.com/x"}, "events", "This field is required."),
        (
            {"url": "http://example.com/x", "events": ["*"], "customer_id": 999999},
            "customer_id",
            "not found",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, body, field, message):
    response = client.post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert message in json.dumps(response.json()[field])
    assert not WebhookEndpoint.objects.exists()


def test_a_body_that_is_not_an_object_is_a_400(client):
    response = client.post(URL, ["http://example.com"], format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The body must be a JSON object."}


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "http://10.1.2.3/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hooks",
        "https://localhost/hooks",
        "http://0.0.0.0/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
    ],
)
def test_private_targets_are_refused_unless_allowed(client, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = client.post(URL, {"url": url, "events": ["*"]}, format="json")
    assert response.status_code == 400, response.content
    assert "webhooks are sent only to public addresses" in response.json()["url"][0]
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    assert client.post(URL, {"url": url, "events": ["*"]}, format="json").status_code == 201


def test_a_change_to_a_private_target_is_refused(client, receiver, settings):
    created = create_endpoint(client, receiver)
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = client.patch(f"{URL}{created['id']}", {"url": "http://10.0.0.7/"}, format="json")
    assert response.status_code == 400 and "10.0.0.7" in response.json()["url"][0]
    assert WebhookEndpoint.objects.get().url == receiver.url


def test_a_customers_user_manages_only_its_customers_endpoints(
    client, customer, customer_client, receiver
):
    other = CustomerFactory()
    others = create_endpoint(client, receiver, customer_id=other.pk)
    everyones = create_endpoint(client, receiver)

    response = customer_client.post(URL, {"url": receiver.url, "events": ["*"]}, format="json")
    assert response.status_code == 400 and "customer_id" in response.json()
    response = customer_client.post(
        URL, {"url": receiver.url, "events": ["*"], "customer_id": other.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"customer_id": [f"Customer {other.pk} not found."]}
    own = create_endpoint(customer_client, receiver, customer_id=customer.pk)

    assert [row["id"] for row in rows(customer_client.get(URL))] == [own["id"]]
    for endpoint in (others, everyones):
        assert customer_client.get(f"{URL}{endpoint['id']}").status_code == 404
        assert customer_client.delete(f"{URL}{endpoint['id']}").status_code == 404
        assert customer_client.get(f"{URL}{endpoint['id']}/deliveries").status_code == 404
    moved = customer_client.patch(f"{URL}{own['id']}", {"customer_id": other.pk}, format="json")
    assert moved.status_code == 400
    assert {row["id"] for row in rows(client.get(URL))} == {
        others["id"],
        everyones["id"],
        own["id"],
    }


def test_model_permissions_and_the_face_permission_are_required(receiver):
    reader = bearer_client(UserFactory(perms=["api.use_invoices", "webhooks.view_webhookendpoint"]))
    assert reader.get(URL).status_code == 200
    body = {"url": receiver.url, "events": ["*"]}
    assert reader.post(URL, body, format="json").status_code == 403
    no_face = bearer_client(UserFactory(perms=MANAGE[1:]))
    assert no_face.get(URL).status_code == 403


def test_unknown_query_parameters_are_a_400(client):
    response = client.get(URL, {"active": "1"})
    assert response.status_code == 400 and response.json() == {
        "active": ["Unknown query parameter."]
    }


@pytest.mark.parametrize("count", [1, 7])
def test_the_list_costs_the_same_queries_however_long(
    client, receiver, count, django_assert_num_queries
):
    for _ in range(count):
        create_endpoint(client, receiver)
    # The user, its permissions and the request's log row; then one batch of endpoints.
    with django_assert_num_queries(4):
        assert len(rows(client.get(URL))) == count
    with django_assert_num_queries(5):  # the count, the page
        assert len(rows(client.get(URL, {"page_size": 5}))) == min(count, 5)
