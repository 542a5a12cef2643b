"""I need a debrief: one click for a supporter, one open request each; the coordinators take it and mark it done."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.notifications.models import Kind, Notification
from alongside.safety.models import DebriefRequest
from tests import factories

pytestmark = pytest.mark.django_db


def _ask(client: Client, **extra: object):  # type: ignore[no-untyped-def]
    return client.post(reverse("safety:debrief"), {"next": "/", **extra}, follow=True)


def test_one_click_asks_for_a_debrief_and_tells_the_coordinator_on_call(supporter_client, supporter, on_call):
    other = factories.coordinator(display_name="Eve")
    page = _ask(supporter_client)
    assert "You have asked for a debrief" in page.content.decode()
    made = DebriefRequest.objects.get()
    assert made.requested_by == supporter and made.done_at is None
    assert [n.user_id for n in Notification.objects.filter(kind=Kind.DEBRIEF_REQUESTED)] == [on_call.pk]
    assert Notification.objects.get(kind=Kind.DEBRIEF_REQUESTED).link == reverse("console:debriefs")
    assert not Notification.objects.filter(user=other).exists()
    assert AuditEvent.objects.filter(action="safety.debrief.requested", actor_id=supporter.pk).exists()


def test_a_second_click_answers_already_asked_and_asks_nobody_again(supporter_client, on_call):
    _ask(supporter_client)
    page = _ask(supporter_client)
    assert "You have already asked for a debrief" in page.content.decode()
    assert DebriefRequest.objects.count() == 1
    assert Notification.objects.filter(kind=Kind.DEBRIEF_REQUESTED).count() == 1


def test_with_nobody_on_call_every_coordinator_hears(supporter_client, coordinator):
    other = factories.coordinator(display_name="Eve")
    _ask(supporter_client)
    assert sorted(Notification.objects.filter(kind=Kind.DEBRIEF_REQUESTED).values_list("user_id", flat=True)) == [
        coordinator.pk,
        other.pk,
    ]


def test_the_contact_it_follows_is_kept_only_when_it_is_their_own(supporter_client, phone_contact):
    theirs = phone_contact.pk
    _ask(supporter_client, contact=theirs)
    assert DebriefRequest.objects.get().contact_id == theirs
    DebriefRequest.objects.all().delete()
    someone_else = factories.supporter(display_name="Sam")
    stranger_contact = type(phone_contact).objects.create(supporter=someone_else, format="phone")
    _ask(supporter_client, contact=stranger_contact.pk)
    assert DebriefRequest.objects.get().contact_id is None


def test_the_home_shows_when_it_was_asked_and_who_took_it(supporter_client, coordinator_client, on_call):
    home = supporter_client.get(reverse("home")).content.decode()
    assert "I need a debrief" in home
    _ask(supporter_client)
    assert "You asked for a debrief" in supporter_client.get(reverse("home")).content.decode()
    coordinator_client.post(reverse("console:debrief_take", args=[DebriefRequest.objects.get().pk]))
    assert "Carol will call you" in supporter_client.get(reverse("home")).content.decode()


def test_a_coordinator_takes_it_once_and_marks_it_done_then_the_supporter_can_ask_again(
    supporter_client, coordinator, coordinator_client, on_call
):
    _ask(supporter_client)
    made = DebriefRequest.objects.get()
    listing = coordinator_client.get(reverse("console:debriefs")).content.decode()
    assert "Bob" in listing and "I'll call them" in listing
    coordinator_client.post(reverse("console:debrief_take", args=[made.pk]))
    made.refresh_from_db()
    assert made.taken_by == coordinator and made.taken_at is not None

    second = Client()
    second.force_login(on_call)
    refused = second.post(reverse("console:debrief_take", args=[made.pk]), follow=True).content.decode()
    assert "Carol has taken it" in refused
    assert DebriefRequest.objects.get().taken_by == coordinator

    coordinator_client.post(reverse("console:debrief_done", args=[made.pk]))
    assert DebriefRequest.objects.get().done_at is not None
    assert {"safety.debrief.taken", "safety.debrief.done"} <= set(
        AuditEvent.objects.filter(actor_id=coordinator.pk).values_list("action", flat=True)
    )
    _ask(supporter_client)
    assert DebriefRequest.objects.count() == 2


def test_members_cannot_ask_for_a_debrief(member_client):
    assert member_client.post(reverse("safety:debrief")).status_code == 403
    assert not DebriefRequest.objects.exists()
