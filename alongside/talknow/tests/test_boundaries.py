"""The reminder of what peer support is and is not, at the start of every connection, its thread and every
talk-now conversation: the one include (conversations/_boundaries.html), unfolded on a first visit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from alongside.connections.tests import factories as connection_factories
from alongside.conversations.services import get_or_create_thread_for_connection, post_message
from alongside.lib.time import now
from alongside.talknow import services
from alongside.talknow.models import TalkNowOffer, TalkNowRequest
from tests import factories

pytestmark = pytest.mark.django_db

REMINDER = re.compile(r'<details class="boundaries" data-boundaries( open)?>')


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _reminder(page: str) -> tuple[bool, bool]:
    """(the reminder is there, it is unfolded)."""
    found = REMINDER.search(page)
    if found is None:
        return False, False
    body = " ".join(page[found.end() :].split())
    assert "not</strong> supervision, mentoring, counselling or therapy" in body
    assert "except when someone is at risk of harm" in body and "access log" in body
    assert f'href="{reverse("library:index")}?referral=on"' in body
    return True, bool(found.group(1))


def test_the_connection_page_starts_with_the_reminder_unfolded_until_they_write(member, supporter):
    connection = connection_factories.connection(member, supporter)
    url = reverse("connections:connection_detail", kwargs={"pk": connection.pk})
    for user in (member, supporter):
        assert _reminder(_client(user).get(url).content.decode()) == (True, True)
    thread = get_or_create_thread_for_connection(connection=connection)
    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="1", body="Hello")
    assert _reminder(_client(member).get(url).content.decode()) == (True, False)


def test_the_thread_starts_with_the_reminder_folded_on_later_visits(member, supporter):
    thread = get_or_create_thread_for_connection(connection=connection_factories.connection(member, supporter))
    url = reverse("conversations:thread", kwargs={"pk": thread.pk})
    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="1", body="Hello")
    client = _client(supporter)
    assert _reminder(client.get(url).content.decode()) == (True, True)  # first visit: nothing read yet
    assert _reminder(client.get(url).content.decode()) == (True, False)  # still there, one line


def test_every_talk_now_conversation_starts_with_the_same_reminder(member, supporter):
    req = TalkNowRequest.objects.create(member=member, medium="chat", next_step_at=now() + dt.timedelta(minutes=3))
    services.accept(offer=TalkNowOffer.objects.create(request=req, supporter=supporter), supporter=supporter)
    url = reverse("talknow:conversation", kwargs={"pk": req.pk})
    for user in (member, supporter):
        assert _reminder(_client(user).get(url).content.decode()) == (True, True)


def test_the_library_link_lists_the_referral_services(member_client):
    factories.ResourceFactory(title="Find a Psychologist", is_referral=True)
    factories.ResourceFactory(title="A reading list")
    page = member_client.get(reverse("library:index") + "?referral=on").content.decode()
    assert "Find a Psychologist" in page and "A reading list" not in page
