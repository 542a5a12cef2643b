"""'You have a new message': at most one email per thread per person every 15 minutes, and a badge notification;
never the text, never a name."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from alongside.connections.tests import factories as connection_factories
from alongside.conversations import notices
from alongside.conversations.services import get_or_create_thread_for_connection, mark_read, post_message
from alongside.notifications.models import Kind, Notification
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):  # type: ignore[no-untyped-def]
    from alongside.lib.time import now as real_now

    state = {"at": real_now()}
    monkeypatch.setattr(notices, "now", lambda: state["at"])
    return state


def _waiting(thread, sender, key: str, body: str = "Can we talk tonight about the audit?") -> None:  # type: ignore[no-untyped-def]
    post_message(thread_id=thread.pk, sender_id=sender.pk, client_key=key, body=body)


def test_the_email_says_only_that_there_is_a_new_message(thread, member, supporter, settings):
    settings.SITE_URL = "https://peer.example.org"
    _waiting(thread, member, "1")
    assert notices.tell_about_waiting_message(thread_id=thread.pk, user_id=supporter.pk)
    (email,) = mail.outbox
    html = str(email.alternatives[0][0])
    assert email.to == [supporter.email]
    assert email.subject == "You have a new message in Alongside"
    link = f"https://peer.example.org/threads/{thread.pk}/"
    assert link in email.body and f'href="{link}"' in html
    for part in (email.subject, email.body, html):
        for secret in ("audit", "tonight", "Alice", "Bob", member.email):
            assert secret not in part


def test_at_most_one_email_per_thread_per_person_every_fifteen_minutes(thread, member, supporter, clock):
    _waiting(thread, member, "1")
    assert notices.tell_about_waiting_message(thread_id=thread.pk, user_id=supporter.pk)
    _waiting(thread, member, "2")
    clock["at"] += dt.timedelta(minutes=14)
    assert not notices.tell_about_waiting_message(thread_id=thread.pk, user_id=supporter.pk)
    clock["at"] += dt.timedelta(minutes=2)
    assert notices.tell_about_waiting_message(thread_id=thread.pk, user_id=supporter.pk)
    assert len(mail.outbox) == 2


def test_each_thread_has_its_own_fifteen_minutes(thread, member, supporter):
    other_member = factories.member(display_name="Olive")
    other = get_or_create_thread_for_connection(connection=connection_factories.connection(other_member, supporter))
    _waiting(thread, member, "1")
    _waiting(other, other_member, "1")
    assert notices.tell_about_waiting_message(thread_id=thread.pk, user_id=supporter.pk)
    assert notices.tell_about_waiting_message(thread_id=other.pk, user_id=supporter.pk)
    assert len(mail.outbox) == 2


def test_nothing_is_sent_once_the_message_has_been_read(thread, member, supporter):
    _waiting(thread, member, "1")
    mark_read(thread_id=thread.pk, user_id=supporter.pk, seq=1)
    assert not notices.tell_about_waiting_message(thread_id=thread.pk, user_id=supporter.pk)
    assert mail.outbox == [] and not Notification.objects.exists()


def test_nothing_is_sent_to_someone_outside_the_thread_or_deactivated(thread, member, supporter, outsider):
    _waiting(thread, member, "1")
    assert not notices.tell_about_waiting_message(thread_id=thread.pk, user_id=outsider.pk)
    supporter.is_active = False
    supporter.save()
    assert not notices.tell_about_waiting_message(thread_id=thread.pk, user_id=supporter.pk)
    assert mail.outbox == []


def test_the_badge_gets_one_new_message_notification_per_thread_until_it_is_opened(
    thread, member, supporter, clock, supporter_client
):
    _waiting(thread, member, "1")
    notices.tell_about_waiting_message(thread_id=thread.pk, user_id=supporter.pk)
    _waiting(thread, member, "2")
    clock["at"] += dt.timedelta(minutes=20)
    notices.tell_about_waiting_message(thread_id=thread.pk, user_id=supporter.pk)
    notes = Notification.objects.filter(user=supporter, kind=Kind.MESSAGE_NEW)
    assert notes.count() == 1 and notes.get().link == f"/threads/{thread.pk}/"
    supporter_client.get(f"/threads/{thread.pk}/")
    assert not notes.filter(read_at__isnull=True).exists()
