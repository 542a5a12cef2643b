"""The call screen: on its own page and wherever a thread template includes ``calls/_call.html``."""

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.connections.services import close_connection
from alongside.conversations.models import Thread, ThreadKind, ThreadMember

pytestmark = pytest.mark.django_db


def _page(client, thread):
    return client.get(reverse("calls:call", kwargs={"thread_id": thread.pk}))


def test_each_side_sees_a_call_button_for_the_other(thread, member_client, supporter_client):
    for client, peer in ((member_client, "Bob"), (supporter_client, "Alice")):
        response = _page(client, thread)
        assert response.status_code == 200
        html = response.content.decode()
        assert f'data-ws="/ws/calls/{thread.pk}/"' in html
        assert f'data-peer="{peer}"' in html
        assert "Start a voice call" in html
        assert "js/call.js" in html


def test_the_screen_has_every_control_and_no_inline_script_or_style(thread, member_client):
    html = _page(member_client, thread).content.decode()
    for control in ("data-call-answer", "data-call-decline", "data-call-mute", "data-call-hangup", "data-call-status"):
        assert control in html
    assert 'role="status"' in html and 'role="alert"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html and "<style" not in html


def test_it_says_addresses_stay_hidden_only_when_audio_is_relayed(thread, member_client, settings):
    assert "or your internet address" not in _page(member_client, thread).content.decode()
    settings.ALONGSIDE_RELAY_ONLY = True
    assert "or your internet address" in _page(member_client, thread).content.decode()


def test_an_outsider_gets_a_404_and_an_audited_denial(thread, outsider_client, outsider):
    assert _page(outsider_client, thread).status_code == 404
    event = AuditEvent.objects.get(action="conversations.thread.view")
    assert (event.outcome, event.actor_id) == ("denied", outsider.pk)


def test_a_third_member_of_the_thread_gets_a_404_and_an_audited_refusal(thread, coordinator_client, coordinator):
    ThreadMember.objects.create(thread=thread, user=coordinator)
    assert _page(coordinator_client, thread).status_code == 404
    event = AuditEvent.objects.get(action="calls.thread.refused")
    assert (event.outcome, event.actor_id, event.target_id) == ("denied", coordinator.pk, str(thread.pk))


def test_a_closed_connection_has_no_call_screen(thread, connection, member, member_client):
    close_connection(connection=connection, actor=member)
    assert _page(member_client, thread).status_code == 404


def test_the_include_shows_nothing_where_calls_are_not_possible(member, other_member):
    group = Thread.objects.create(kind=ThreadKind.GROUP)
    ThreadMember.objects.create(thread=group, user=member)
    request = RequestFactory().get("/")
    request.user = member
    html = Template('{% include "calls/_call.html" %}').render(Context({"thread": group, "request": request}))
    assert html.strip() == ""


def test_the_include_renders_the_screen_on_a_connection_thread(thread, member):
    request = RequestFactory().get("/")
    request.user = member
    html = Template('{% include "calls/_call.html" %}').render(Context({"thread": thread, "request": request}))
    assert f'data-ws="/ws/calls/{thread.pk}/"' in html and 'data-peer="Bob"' in html


def test_anonymous_visitors_are_sent_to_sign_in(thread, client):
    response = _page(client, thread)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_thread_page_carries_the_call_screen(thread, member_client):
    html = member_client.get(reverse("conversations:thread", kwargs={"pk": thread.pk})).content.decode()
    assert f'data-ws="/ws/calls/{thread.pk}/"' in html and "Start a voice call" in html
    assert f'data-ws="/ws/threads/{thread.pk}/"' in html  # the chat is still there beside it


def test_a_closed_connections_thread_page_has_no_call_button(thread, connection, member, member_client):
    close_connection(connection=connection, actor=member)
    response = member_client.get(reverse("conversations:thread", kwargs={"pk": thread.pk}))
    assert response.status_code == 200
    assert "Start a voice call" not in response.content.decode()


def test_the_call_page_links_back_to_the_messages(thread, member_client):
    html = _page(member_client, thread).content.decode()
    assert f'href="{reverse("conversations:thread", kwargs={"pk": thread.pk})}"' in html
