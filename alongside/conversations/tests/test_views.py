"""The thread page and the way in from a connection: history as text, read marks, unread counts on the home page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from alongside.audit.models import AuditEvent, Outcome
from alongside.conversations.models import Thread, ThreadMember
from alongside.conversations.services import post_message
from alongside.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

XSS = [
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned=1">',
    '"><svg onload=window.__pwned=1>',
    "javascript:window.__pwned=1",
    '<a href="javascript:alert(1)">click</a>',
    "{{ 7*7 }} {% now 'Y' %}",
]


def test_a_participant_sees_the_history_oldest_first(thread, member, supporter, supporter_client):
    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="1", body="first words")
    post_message(thread_id=thread.pk, sender_id=supporter.pk, client_key="2", body="a reply")
    page = supporter_client.get(reverse("conversations:thread", kwargs={"pk": thread.pk})).content.decode()
    assert page.index("first words") < page.index("a reply")
    assert f'data-ws="/ws/threads/{thread.pk}/"' in page
    assert 'data-last-seq="2"' in page and 'data-open="true"' in page
    assert "Messages with Alice" in page


@pytest.mark.parametrize("body", XSS)
def test_markup_in_a_message_is_shown_as_text(thread, member, member_client, body):
    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="x", body=body)
    page = member_client.get(reverse("conversations:thread", kwargs={"pk": thread.pk})).content.decode()
    assert escape(body) in page  # the text is all there, as text
    assert "<script>window" not in page and "<img src=x" not in page and "<svg" not in page
    assert 'href="javascript' not in page


def test_only_http_and_https_addresses_become_links(thread, member, member_client):
    body = "see https://example.org/help?a=1&b=2. and ftp://x.example and javascript:alert(1)"
    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="x", body=body)
    page = member_client.get(reverse("conversations:thread", kwargs={"pk": thread.pk})).content.decode()
    assert (
        '<a href="https://example.org/help?a=1&amp;b=2" rel="noopener noreferrer" target="_blank">'
        "https://example.org/help?a=1&amp;b=2</a>." in page
    )
    assert 'href="ftp' not in page and 'href="javascript' not in page


def test_opening_the_thread_marks_it_read_and_clears_its_notification(thread, member, supporter, supporter_client):
    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="1", body="hello")
    link = reverse("conversations:thread", kwargs={"pk": thread.pk})
    Notification.objects.create(user=supporter, kind=Kind.MESSAGE_NEW, link=link)
    supporter_client.get(link)
    assert ThreadMember.objects.get(thread=thread, user=supporter).last_read_seq == 1
    assert not Notification.objects.filter(user=supporter, read_at__isnull=True).exists()


def test_the_home_page_counts_unread_messages_from_others(thread, member, supporter, supporter_client, member_client):
    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="1", body="one")
    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="2", body="two")
    home = supporter_client.get(reverse("home")).content.decode()
    assert "Alice: 2 unread messages" in home
    assert "unread message" not in member_client.get(reverse("home")).content.decode()  # their own don't count
    supporter_client.get(reverse("conversations:thread", kwargs={"pk": thread.pk}))
    assert "unread message" not in supporter_client.get(reverse("home")).content.decode()


def test_an_outsider_gets_a_404_and_the_denial_is_audited(thread, outsider_client, outsider):
    response = outsider_client.get(reverse("conversations:thread", kwargs={"pk": thread.pk}))
    assert response.status_code == 404
    event = AuditEvent.objects.get(action="conversations.thread.view")
    assert (event.outcome, event.actor_id, event.target_id) == (Outcome.DENIED, outsider.pk, str(thread.pk))


def test_a_closed_connections_thread_can_be_read_but_offers_no_form(thread, connection, member, member_client):
    from alongside.lib.time import now

    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="1", body="last words")
    connection.status, connection.ended_at = "closed", now()
    connection.save()
    page = member_client.get(reverse("conversations:thread", kwargs={"pk": thread.pk})).content.decode()
    assert "last words" in page and 'data-open="false"' in page
    assert 'id="chat-form"' not in page and "This conversation has closed" in page


def test_the_connection_link_makes_the_thread_once(connection, member_client, supporter_client):
    url = reverse("conversations:connection_thread", kwargs={"pk": connection.pk})
    first = member_client.get(url)
    second = supporter_client.get(url)
    thread = Thread.objects.get(connection=connection)
    assert first.url == second.url == reverse("conversations:thread", kwargs={"pk": thread.pk})
    page = member_client.get(reverse("connections:connection_detail", kwargs={"pk": connection.pk}))
    assert url in page.content.decode()
