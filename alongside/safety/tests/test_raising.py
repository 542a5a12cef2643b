"""A supporter raises a concern from the place it arose: a conversation, a connection, a call, a contact record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from alongside.audit.models import AuditEvent, Outcome
from alongside.notifications.models import Kind, Notification
from alongside.safety.models import Action, Concern, Level, Source
from alongside.safety.services import NOTE_MAX_LENGTH
from tests import factories

pytestmark = pytest.mark.django_db

GOOD = {"level": Level.IMMINENT, "note": "said they have a plan", "actions": [Action.CRISIS_LINE, Action.GP]}


def _raise(client: Client, url: str, data: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    return client.post(url, data if data is not None else GOOD)


def test_the_supporter_raises_a_concern_from_their_connection_thread_and_the_coordinator_on_call_is_alerted(
    supporter_client, supporter, member, thread, connection, on_call, django_capture_on_commit_callbacks
):
    page = supporter_client.get(reverse("conversations:thread", args=[thread.pk]))
    assert reverse("safety:raise_thread", args=[thread.pk]) in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = _raise(supporter_client, reverse("safety:raise_thread", args=[thread.pk]))
    concern = Concern.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("safety:raised", args=[concern.pk])
    assert (concern.source, concern.level, concern.raised_by, concern.member) == (
        Source.THREAD,
        Level.IMMINENT,
        supporter,
        member,
    )
    assert (concern.thread_id, concern.connection_id, concern.note) == (thread.pk, connection.pk, GOOD["note"])
    assert concern.actions == sorted([Action.CRISIS_LINE, Action.GP])
    assert Notification.objects.filter(user=on_call, kind=Kind.CONCERN_RAISED).count() == 1
    assert AuditEvent.objects.filter(action="safety.concern.raised", actor_id=supporter.pk).exists()


def test_a_concern_from_a_talk_now_conversation_is_about_its_member_and_its_contact(supporter_client, member, talknow):
    page = supporter_client.get(reverse("talknow:conversation", args=[talknow.pk]))
    assert reverse("safety:raise_thread", args=[talknow.thread_id]) in page.content.decode()
    _raise(supporter_client, reverse("safety:raise_thread", args=[talknow.thread_id]))
    concern = Concern.objects.get()
    assert (concern.source, concern.member, concern.thread_id) == (Source.TALKNOW, member, talknow.thread_id)
    assert concern.contact_id == talknow.contact_id


def test_a_concern_from_a_call_says_it_came_from_the_call(supporter_client, member, thread, connection):
    page = supporter_client.get(reverse("calls:call", args=[thread.pk]))
    assert reverse("safety:raise_call", args=[thread.pk]) in page.content.decode()
    _raise(supporter_client, reverse("safety:raise_call", args=[thread.pk]))
    concern = Concern.objects.get()
    assert (concern.source, concern.member, concern.connection_id) == (Source.CALL, member, connection.pk)


def test_a_concern_from_the_connection_page(supporter_client, member, connection):
    page = supporter_client.get(reverse("connections:connection_detail", args=[connection.pk]))
    assert reverse("safety:raise_connection", args=[connection.pk]) in page.content.decode()
    _raise(supporter_client, reverse("safety:raise_connection", args=[connection.pk]))
    concern = Concern.objects.get()
    assert (concern.source, concern.member, concern.connection_id) == (Source.CONNECTION, member, connection.pk)


def test_a_concern_from_a_phone_contact_record_has_no_member(supporter_client, phone_contact):
    page = supporter_client.get(reverse("roster:contact_record", args=[phone_contact.pk]))
    assert reverse("safety:raise_contact", args=[phone_contact.pk]) in page.content.decode()
    _raise(supporter_client, reverse("safety:raise_contact", args=[phone_contact.pk]))
    concern = Concern.objects.get()
    assert (concern.source, concern.member, concern.contact_id) == (Source.CONTACT, None, phone_contact.pk)


def test_a_concern_from_a_talk_now_contact_record_knows_the_member(supporter_client, member, talknow):
    supporter_client.post(reverse("talknow:end", args=[talknow.pk]))
    _raise(supporter_client, reverse("safety:raise_contact", args=[talknow.contact_id]))
    concern = Concern.objects.get()
    assert (concern.source, concern.member, concern.thread_id) == (Source.CONTACT, member, talknow.thread_id)


@pytest.mark.parametrize("place", ["raise_thread", "raise_connection", "raise_call", "raise_contact"])
def test_another_supporter_gets_a_404_and_the_denial_is_audited(place, thread, connection, phone_contact):
    stranger = factories.supporter(display_name="Sam")
    client = Client()
    client.force_login(stranger)
    pk = {"raise_thread": thread.pk, "raise_connection": connection.pk, "raise_call": thread.pk}.get(
        place, phone_contact.pk
    )
    url = reverse(f"safety:{place}", args=[pk])
    assert client.get(url).status_code == 404
    assert _raise(client, url).status_code == 404
    assert not Concern.objects.exists()
    assert AuditEvent.objects.filter(actor_id=stranger.pk, outcome=Outcome.DENIED).count() == 2


def test_the_member_of_the_conversation_cannot_raise_one_but_gets_help_now(member_client, thread):
    assert member_client.get(reverse("safety:raise_thread", args=[thread.pk])).status_code == 403
    page = member_client.get(reverse("conversations:thread", args=[thread.pk])).content.decode()
    assert "I need help now" in page
    assert reverse("safety:raise_thread", args=[thread.pk]) not in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"level": "panicking"}, "Choose worried or imminent risk."),
        ({}, "Choose worried or imminent risk."),
        ({"level": Level.WORRIED, "note": "x" * (NOTE_MAX_LENGTH + 1)}, f"under {NOTE_MAX_LENGTH} characters"),
        ({"level": Level.WORRIED, "actions": ["hugged"]}, "Choose what has been done from the list."),
        ({"level": Level.WORRIED, "actions": [Action.NONE, Action.GP]}, "Untick"),
    ],
)
def test_the_form_refuses_a_bad_level_a_long_note_and_unknown_actions(supporter_client, thread, data, error):
    answer = _raise(supporter_client, reverse("safety:raise_thread", args=[thread.pk]), data)
    assert answer.status_code == 200
    assert error in answer.content.decode()
    assert not Concern.objects.exists()


def test_a_double_tap_on_raise_raises_one_concern_and_answers_with_it(
    supporter_client, thread, on_call, django_capture_on_commit_callbacks
):
    url = reverse("safety:raise_thread", args=[thread.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = _raise(supporter_client, url)
        second = _raise(supporter_client, url)
    assert Concern.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert Notification.objects.filter(user=on_call, kind=Kind.CONCERN_RAISED).count() == 1


def test_a_second_concern_a_minute_later_is_a_new_one(supporter_client, thread):
    url = reverse("safety:raise_thread", args=[thread.pk])
    _raise(supporter_client, url)
    Concern.objects.update(raised_at=Concern.objects.get().raised_at - dt.timedelta(minutes=2))
    _raise(supporter_client, url)
    assert Concern.objects.count() == 2


def test_the_raisers_page_says_the_coordinator_is_alerted_with_crisis_lines_and_a_debrief(
    supporter_client, thread, on_call, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = _raise(supporter_client, reverse("safety:raise_thread", args=[thread.pk]))
    page = supporter_client.get(answer["Location"]).content.decode()
    assert "The coordinator on call has been alerted" in page
    assert "What to do meanwhile" in page and "tel:000" in page and "Lifeline" in page
    assert "I need a debrief" in page


def test_the_raisers_status_moves_on_when_a_coordinator_acknowledges(supporter_client, thread, on_call):
    _raise(supporter_client, reverse("safety:raise_thread", args=[thread.pk]))
    concern = Concern.objects.get()
    url = reverse("safety:raised", args=[concern.pk])
    waiting = supporter_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-state="waiting"' in waiting and "every 5s" in waiting and "<html" not in waiting
    Concern.objects.filter(pk=concern.pk).update(acknowledged_at=concern.raised_at, handler=on_call)
    acknowledged = supporter_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Dana has acknowledged it" in acknowledged and "every 5s" not in acknowledged


def test_only_the_raiser_sees_where_their_concern_stands(supporter_client, member_client, coordinator_client, thread):
    _raise(supporter_client, reverse("safety:raise_thread", args=[thread.pk]))
    url = reverse("safety:raised", args=[Concern.objects.get().pk])
    assert member_client.get(url).status_code == 404
    assert coordinator_client.get(url).status_code == 404


def test_while_the_alert_has_not_gone_out_the_page_does_not_claim_it_has(supporter_client, thread, on_call):
    answer = _raise(supporter_client, reverse("safety:raise_thread", args=[thread.pk]))  # the task never ran
    page = supporter_client.get(answer["Location"]).content.decode()
    assert "Your concern is raised" in page and "on its way to the coordinator on call" in page
    assert "has been alerted" not in page
