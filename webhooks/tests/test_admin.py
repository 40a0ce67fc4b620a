"""The admin pages: endpoints (the secret shown once, on adding), deliveries
with their attempts, re-sending, attempts read-only."""

import html

import pytest

from webhooks.models import Delivery, DeliveryAttempt, WebhookEndpoint

from .conftest import create_endpoint

pytestmark = pytest.mark.django_db


def test_adding_an_endpoint_shows_its_secret_once(admin_client, receiver, settings):
    page = admin_client.post(
        "/admin/webhooks/webhookendpoint/add/",
        {"url": receiver.url, "events": ["invoice.paid"], "description": "", "is_active": "on"},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_") and endpoint.events == ["invoice.paid"]
    assert endpoint.secret in page.content.decode()
    change = admin_client.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/")
    assert change.status_code == 200 and endpoint.secret not in change.content.decode()
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    refused = admin_client.post(
        "/admin/webhooks/webhookendpoint/add/",
        {"url": "http://169.254.169.254/", "events": ["*"], "is_active": "on"},
    )
    assert "only to public addresses" in refused.content.decode()
    assert WebhookEndpoint.objects.count() == 1


def test_deliveries_show_their_attempts_and_can_be_resent(
    admin_client, client, receiver, emit, django_capture_on_commit_callbacks
):
    create_endpoint(client, receiver)
    receiver.fail_first = 1
    emit()
    delivery = Delivery.objects.get()
    Delivery.objects.update(status="failed")
    assert admin_client.get("/admin/webhooks/webhookendpoint/").status_code == 200
    assert admin_client.get("/admin/webhooks/delivery/").status_code == 200
    page = admin_client.get(f"/admin/webhooks/delivery/{delivery.pk}/change/").content.decode()
    assert '{"status": 500' in html.unescape(page)  # the first attempt's answer
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/webhooks/delivery/",
            {"action": "resend", "_selected_action": [delivery.pk]},
        )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    attempt = DeliveryAttempt.objects.first()
    assert admin_client.get("/admin/webhooks/deliveryattempt/").status_code == 200
    assert (
        admin_client.get(f"/admin/webhooks/deliveryattempt/{attempt.pk}/change/").status_code == 200
    )
    assert (
        admin_client.post(f"/admin/webhooks/deliveryattempt/{attempt.pk}/delete/").status_code
        == 403
    )
