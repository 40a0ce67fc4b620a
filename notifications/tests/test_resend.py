"""Staff send an email again: a failed one is tried again from zero attempts; a
sent one is copied into a new email, so the first stays the record of what was
sent; one that is on its way (pending, or a pending re-send) is refused. Through
the service, the admin's action and the button on an email's page."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from billing_site.errors import ConflictError
from events.models import Event
from events.tasks import relay
from invoices.tests.factories import InvoiceFactory, UserFactory
from notifications.models import OutgoingEmail
from notifications.services import email_resend

pytestmark = pytest.mark.django_db

URL = "/admin/notifications/outgoingemail/"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def sent(committed, mailoutbox):
    """An invoice's email, sent; the outbox emptied."""
    with committed():
        InvoiceFactory(amount=Decimal("100.00"), customer__email="payer@example.com")
    mailoutbox.clear()
    email = OutgoingEmail.objects.get()
    assert email.status == "sent"
    return email


@pytest.fixture
def failed(sent):
    """The email, as if every try had failed."""
    OutgoingEmail.objects.filter(pk=sent.pk).update(
        status="failed", attempts=6, sent_at=None, next_attempt_at=None, last_error="SMTPError: x"
    )
    sent.refresh_from_db()
    return sent


def test_a_failed_email_is_tried_again_from_zero_attempts(failed, committed, mailoutbox):
    with committed():
        resent = email_resend(email=failed)
        # Before the commit: pending, due now, nothing sent yet.
        assert resent.pk == failed.pk
        assert (resent.status, resent.attempts, resent.claimed_at) == ("pending", 0, None)
        assert resent.next_attempt_at <= timezone.now()
        assert mailoutbox == []
    [message] = mailoutbox
    assert message.to == ["payer@example.com"] and message.subject == failed.subject
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.next_attempt_at) == ("sent", 1, None)
    assert OutgoingEmail.objects.count() == 1


def test_a_sent_email_is_resent_as_a_new_email_copying_it(sent, committed, mailoutbox):
    with committed():
        copy = email_resend(email=sent)
    assert copy.pk != sent.pk
    assert (copy.event_id, copy.kind, copy.to, copy.subject) == (
        sent.event_id,
        sent.kind,
        sent.to,
        sent.subject,
    )
    assert (copy.copy_number, copy.resend_of_id) == (1, sent.pk)
    copy.refresh_from_db()
    assert (copy.status, copy.attempts) == ("sent", 1)
    [message] = mailoutbox
    assert message.subject == sent.subject and message.attachments
    # The first email is untouched: the record of what was sent, and when.
    assert OutgoingEmail.objects.values_list("status", "attempts", "sent_at").get(pk=sent.pk) == (
        "sent",
        1,
        sent.sent_at,
    )
    with committed():
        again = email_resend(email=copy)
    assert (again.copy_number, again.resend_of_id) == (2, copy.pk)
    assert len(mailoutbox) == 2


def test_an_email_on_its_way_is_refused(sent, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=False):  # queued, not sent yet
        copy = email_resend(email=sent)
    with pytest.raises(ConflictError) as refused:
        email_resend(email=copy)
    assert refused.value.message == f"Email {copy.pk} is pending: it is already being sent."
    assert refused.value.status_code == 409
    with pytest.raises(ConflictError) as refused:
        email_resend(email=sent)  # a second click on the sent one
    assert refused.value.message == (
        f"A re-send of email {sent.pk} (email {copy.pk}) is pending: it is already being sent."
    )
    assert OutgoingEmail.objects.count() == 2 and mailoutbox == []


def test_an_event_relayed_again_after_a_resend_is_not_emailed_again(sent, committed, mailoutbox):
    with committed():
        email_resend(email=sent)
    Event.objects.update(relayed_at=None)
    with committed():
        relay(list(Event.objects.values_list("pk", flat=True)))
    assert OutgoingEmail.objects.count() == 2 and len(mailoutbox) == 1


# --- the admin ----------------------------------------------------------------------


def test_the_button_asks_then_resends_a_failed_email(admin_client, failed, committed, mailoutbox):
    page = admin_client.get(f"{URL}{failed.pk}/change/").content.decode()
    assert f'href="{URL}{failed.pk}/resend/"' in page
    confirm = admin_client.get(f"{URL}{failed.pk}/resend/")
    assert confirm.status_code == 200
    assert "It failed after 6 attempt(s)" in confirm.content.decode()
    assert mailoutbox == []  # asking sends nothing
    with committed():
        done = admin_client.post(f"{URL}{failed.pk}/resend/", follow=True)
    assert done.redirect_chain == [(f"{URL}{failed.pk}/change/", 302)]
    assert f"Email {failed.pk} queued to be sent again." in done.content.decode()
    assert len(mailoutbox) == 1
    assert OutgoingEmail.objects.get().status == "sent"
    assert LogEntry.objects.get().change_message == "Queued to be sent again."


def test_the_button_resends_a_sent_email_as_a_copy(admin_client, sent, committed, mailoutbox):
    confirm = admin_client.get(f"{URL}{sent.pk}/resend/").content.decode()
    assert "a new email copying it is sent now" in confirm
    with committed():
        done = admin_client.post(f"{URL}{sent.pk}/resend/", follow=True)
    copy = OutgoingEmail.objects.get(copy_number=1)
    assert done.redirect_chain == [(f"{URL}{copy.pk}/change/", 302)]
    assert f"Email {copy.pk}, a copy of email {sent.pk}, queued to be sent." in (
        done.content.decode()
    )
    assert len(mailoutbox) == 1
    assert sorted(LogEntry.objects.values_list("object_id", "change_message")) == sorted(
        [
            (str(sent.pk), f"Re-sent as email {copy.pk}."),
            (str(copy.pk), f"A re-send of email {sent.pk}."),
        ]
    )


def test_a_pending_email_has_no_button_and_is_refused(
    admin_client, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        copy = email_resend(email=sent)
    page = admin_client.get(f"{URL}{copy.pk}/change/").content.decode()
    assert page.count("/resend/") == 0
    asked = admin_client.get(f"{URL}{copy.pk}/resend/", follow=True)
    assert "is pending: it is already being sent." in asked.content.decode()
    refused = admin_client.post(f"{URL}{sent.pk}/resend/", follow=True)
    assert refused.redirect_chain == [(f"{URL}{sent.pk}/change/", 302)]
    assert f"A re-send of email {sent.pk} (email {copy.pk}) is pending" in refused.content.decode()
    assert OutgoingEmail.objects.count() == 2


def test_the_action_resends_the_selected_and_says_what_it_refused(
    admin_client, sent, committed, mailoutbox
):
    with committed():
        InvoiceFactory(amount=Decimal("5.00"), customer__email="other@example.com")
    other = OutgoingEmail.objects.exclude(pk=sent.pk).get()
    OutgoingEmail.objects.filter(pk=other.pk).update(status="failed", next_attempt_at=None)
    mailoutbox.clear()
    with committed():
        page = admin_client.post(
            URL, {"action": "resend", "_selected_action": [sent.pk, other.pk]}, follow=True
        )
    assert "2 email(s) queued to be sent again." in page.content.decode()
    assert sorted(message.to[0] for message in mailoutbox) == [
        "other@example.com",
        "payer@example.com",
    ]
    copy = OutgoingEmail.objects.get(copy_number=1)
    with committed():
        # The first's new copy is pending while the action runs: the second is refused.
        page = admin_client.post(
            URL, {"action": "resend", "_selected_action": [sent.pk, copy.pk]}, follow=True
        )
    content = page.content.decode()
    assert "1 email(s) queued to be sent again." in content
    second = OutgoingEmail.objects.get(copy_number=2)
    assert f"A re-send of email {copy.pk} (email {second.pk}) is pending" in content
    assert OutgoingEmail.objects.filter(event_id=sent.event_id).count() == 3
    assert len(mailoutbox) == 3


def test_staff_without_the_permission_cannot_resend(client, failed, mailoutbox):
    viewer = UserFactory(is_staff=True, perms=["notifications.view_outgoingemail"])
    client.force_login(viewer)
    page = client.get(f"{URL}{failed.pk}/change/")
    assert page.status_code == 200 and b"/resend/" not in page.content
    assert client.get(f"{URL}{failed.pk}/resend/").status_code == 403
    assert client.post(f"{URL}{failed.pk}/resend/").status_code == 403
    listing = client.get(URL).content.decode()
    assert 'value="resend"' not in listing
    client.post(URL, {"action": "resend", "_selected_action": [failed.pk]})
    assert OutgoingEmail.objects.get().status == "failed" and mailoutbox == []
