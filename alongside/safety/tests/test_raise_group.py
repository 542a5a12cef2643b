"""A group's facilitator raises a concern from the group: about one of its members, or about the group in general.
Everyone else learns nothing (an audited 404); calls and referral cards are refused in group threads."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alongside.audit.models import AuditEvent, Outcome
from alongside.calls.access import CallsRefused, get_call_party
from alongside.conversations.referrals import can_send_referrals
from alongside.groups import services as group_services
from alongside.groups.models import Group, GroupKind, JoinPolicy
from alongside.notifications.models import Kind, Notification
from alongside.safety.models import Concern, Level, Source
from tests import factories

pytestmark = pytest.mark.django_db

GOOD = {"level": Level.WORRIED, "note": "seemed very low tonight"}


@pytest.fixture
def group(supporter, coordinator, member, other_member) -> Group:  # type: ignore[no-untyped-def]
    """A circle Bob facilitates; Alice and Olive are its members."""
    made = group_services.create_group(
        kind=GroupKind.CIRCLE,
        name="Interns 2027",
        created_by=coordinator,
        facilitators=[supporter],
        join_policy=JoinPolicy.OPEN,
    )
    for person in (member, other_member):
        group_services.join(group=made, user=person, accepted_agreement=True)
    return made


def _url(group: Group) -> str:
    return reverse("safety:raise_group", args=[group.pk])


def _membership_id(group: Group, user: Any) -> int:
    return int(group.memberships.get(user=user).pk)


def test_the_form_lists_the_members_by_display_name_and_the_group_in_general(supporter_client, group):
    page = supporter_client.get(_url(group)).content.decode()
    assert "Alice" in page and "Olive" in page and "The group in general" in page
    assert "Bob" not in page.split('name="about"', 1)[1].split("</select>", 1)[0]  # the facilitator is not a choice


def test_a_concern_about_one_member_names_that_member_and_the_group_thread(
    supporter_client, supporter, member, group, on_call, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = supporter_client.post(_url(group), {**GOOD, "about": _membership_id(group, member)})
    concern = Concern.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("safety:raised", args=[concern.pk])
    assert (concern.source, concern.member, concern.thread_id, concern.raised_by) == (
        Source.GROUP,
        member,
        group.thread_id,
        supporter,
    )
    assert concern.connection_id is None and concern.contact_id is None
    assert Notification.objects.filter(user=on_call, kind=Kind.CONCERN_RAISED).count() == 1
    event = AuditEvent.objects.get(action="safety.concern.raised")
    assert event.details == {"level": Level.WORRIED, "source": Source.GROUP}


def test_a_concern_about_the_group_in_general_is_about_nobody(supporter_client, group):
    supporter_client.post(_url(group), {**GOOD, "about": ""})
    concern = Concern.objects.get()
    assert (concern.source, concern.member, concern.thread_id) == (Source.GROUP, None, group.thread_id)


def test_concerns_about_two_members_a_moment_apart_are_two_concerns_but_a_double_tap_is_one(
    supporter_client, member, other_member, group
):
    for person in (member, member, other_member):
        supporter_client.post(_url(group), {**GOOD, "about": _membership_id(group, person)})
    assert sorted(Concern.objects.values_list("member__profile__display_name", flat=True)) == ["Alice", "Olive"]


def test_someone_not_in_the_group_cannot_be_chosen(supporter_client, group, outsider):
    stranger = group_services.create_group(
        kind=GroupKind.CIRCLE, name="Other", created_by=outsider, facilitators=[factories.supporter()]
    )
    answer = supporter_client.post(
        _url(group), {**GOOD, "about": _membership_id(stranger, stranger.memberships.get().user)}
    )
    assert answer.status_code == 200 and "Choose someone from the list" in answer.content.decode()
    assert not Concern.objects.exists()


def test_a_member_who_left_is_no_longer_a_choice(supporter_client, member, group):
    leaving = _membership_id(group, member)
    group_services.leave(group=group, user=member)
    answer = supporter_client.post(_url(group), {**GOOD, "about": leaving})
    assert answer.status_code == 200 and not Concern.objects.exists()


@pytest.mark.parametrize("who", ["member", "other_member", "coordinator", "outsider", "other_supporter"])
def test_everyone_but_the_facilitator_gets_an_audited_404(who, group, request):  # type: ignore[no-untyped-def]
    person = factories.supporter() if who == "other_supporter" else request.getfixturevalue(who)
    client = Client()
    client.force_login(person)
    assert client.get(_url(group)).status_code == 404
    assert client.post(_url(group), GOOD).status_code == 404
    assert not Concern.objects.exists()
    denials = AuditEvent.objects.filter(action="safety.concern.raise", outcome=Outcome.DENIED, actor_id=person.pk)
    assert denials.count() == 2 and {e.target_id for e in denials} == {str(group.pk)}


def test_a_facilitator_who_lost_the_supporter_role_or_left_is_refused(supporter, supporter_client, group):
    second = factories.supporter()
    group.memberships.create(user=second, role="facilitator", state="active", joined_at=group.created_at)
    type(supporter).objects.filter(pk=supporter.pk).update(is_supporter=False)
    assert supporter_client.get(_url(group)).status_code == 404
    other = Client()
    other.force_login(second)
    assert other.get(_url(group)).status_code == 200
    group_services.leave(group=group, user=second)
    assert other.get(_url(group)).status_code == 404


def test_no_such_group_is_a_404(supporter_client):
    assert supporter_client.get(reverse("safety:raise_group", args=[999999])).status_code == 404


def test_the_group_page_links_the_raise_form_for_its_facilitators_only(supporter, member, group):
    url = _url(group)
    for person, shown in ((supporter, True), (member, False)):
        client = Client()
        client.force_login(person)
        html = client.get(f"/groups/{group.pk}/").content.decode()
        assert (url in html and "Raise a concern" in html) is shown


def test_the_thread_raise_page_refuses_a_group_thread(supporter_client, group):
    assert supporter_client.get(reverse("safety:raise_thread", args=[group.thread_id])).status_code == 404


def test_calls_and_referral_cards_are_refused_in_a_group_thread(supporter, member, group):
    for person in (supporter, member):
        with pytest.raises(CallsRefused):
            get_call_party(person, group.thread_id)
        assert not can_send_referrals(group.thread, person)
    assert AuditEvent.objects.filter(action="calls.thread.refused", outcome=Outcome.DENIED).count() == 2


def test_the_call_page_of_a_group_thread_is_a_404(supporter_client, group):
    assert supporter_client.get(reverse("calls:call", args=[group.thread_id])).status_code == 404
