"""Circles, drop-ins and supervision groups over HTTP: the directory, a group's page, joining with every bad input,
leaving, facilitating, the thread page as a group's, and the coordinators' pages."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.test import Client

from alongside.audit.models import AuditEvent, Outcome
from alongside.groups import services
from alongside.groups.agreement import AGREEMENT
from alongside.groups.models import (
    AGREEMENT_VERSION,
    Group,
    GroupKind,
    JoinPolicy,
    Membership,
    MembershipState,
    Purpose,
)
from alongside.lib.time import now
from tests import factories

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _group(kind=GroupKind.CIRCLE, facilitator=None, **kwargs):  # type: ignore[no-untyped-def]
    return services.create_group(
        kind=kind,
        name=kwargs.pop("name", "Interns' circle"),
        created_by=factories.coordinator(),
        facilitators=[facilitator or factories.supporter()],
        **kwargs,
    )


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]]


def test_the_directory_lists_what_the_viewer_may_join_with_places_and_their_state(member, member_client):
    circle = _group(name="IMG circle", purpose=Purpose.INTERNATIONAL, capacity=3, join_policy=JoinPolicy.OPEN)
    _group(kind=GroupKind.SUPERVISION, name="Supporters' supervision")
    exams = _group(name="Exam year", purpose=Purpose.EXAMS, capacity=2)
    ended = _group(name="Old circle")
    services.end_group(group=ended)
    services.join(group=circle, user=member, accepted_agreement=True)
    services.join(group=exams, user=factories.member(), accepted_agreement=True)
    services.approve(membership=exams.memberships.get(role="member"), by=exams.memberships.get(role="facilitator").user)
    services.join(group=exams, user=factories.member(), accepted_agreement=True)
    services.approve(
        membership=exams.memberships.filter(role="member", state="requested").get(),
        by=exams.memberships.get(role="facilitator").user,
    )
    page = member_client.get("/groups/").content.decode()
    assert "IMG circle" in page and "Exam year" in page
    assert "Supporters&#x27; supervision" not in page and "Old circle" not in page  # not for members; ended
    assert "2 places left" in page and "Full" in page and "You are a member" in page and "My groups" in page
    filtered = member_client.get("/groups/", {"purpose": Purpose.EXAMS}).content.decode()
    assert "Exam year" in filtered and "IMG circle" not in filtered.split("Find a group")[1]
    supporter_page = _client(factories.supporter()).get("/groups/").content.decode()
    assert "Supporters&#x27; supervision" in supporter_page
    only = _client(factories.supporter()).get("/groups/", {"kind": GroupKind.SUPERVISION}).content.decode()
    assert "Supporters&#x27; supervision" in only and "IMG circle" not in only


def test_a_supervision_group_is_not_there_for_members_and_guests_see_no_groups(member_client):
    supervision = _group(kind=GroupKind.SUPERVISION, join_policy=JoinPolicy.OPEN)
    circle = _group()
    assert member_client.get(f"/groups/{supervision.pk}/").status_code == 404
    assert member_client.post(f"/groups/{supervision.pk}/join/", {"accept": "on"}).status_code == 404
    assert not supervision.memberships.filter(role="member").exists()
    assert AuditEvent.objects.filter(outcome=Outcome.DENIED, action="groups.group.view").count() == 2
    guest = factories.member(is_guest=True)
    assert _client(guest).get(f"/groups/{circle.pk}/").status_code == 404


def test_the_group_page_shows_the_agreement_facilitators_by_name_and_members_count(member_client):
    group = _group(
        schedule="Every second Tuesday, 7 pm",
        description="For first years.",
        facilitator=factories.supporter(display_name="Fran"),
    )
    page = member_client.get(f"/groups/{group.pk}/").content.decode()
    for point in AGREEMENT:
        assert point.heading in page
    assert "raise a concern" in page and "Every second Tuesday, 7 pm" in page and "Fran" in page
    assert "0 of 12" in page and "I accept the group agreement" in page and "Ask to join" in page


def test_joining_without_the_agreement_saves_nothing_and_says_why(member, member_client):
    group = _group(join_policy=JoinPolicy.OPEN)
    response = member_client.post(f"/groups/{group.pk}/join/", follow=True)
    assert "Please read and accept the group agreement to join." in _messages(response)
    assert not Membership.objects.filter(group=group, user=member).exists()


def test_joining_an_open_circle_goes_to_its_conversation_with_the_group_s_header(member, member_client):
    group = _group(join_policy=JoinPolicy.OPEN, name="Parents in medicine")
    response = member_client.post(f"/groups/{group.pk}/join/", {"accept": "on"})
    assert response.status_code == 302 and response["Location"] == f"/threads/{group.thread_id}/"
    membership = Membership.objects.get(group=group, user=member)
    assert membership.state == MembershipState.ACTIVE and membership.agreement_version == AGREEMENT_VERSION
    page = member_client.get(response["Location"]).content.decode()
    assert "<h1>Parents in medicine</h1>" in page and f'href="/groups/{group.pk}/#agreement"' in page
    assert "Messages with" not in page and "no longer in this group" in page  # the words if they are removed
    again = member_client.post(f"/groups/{group.pk}/join/", {"accept": "on"})  # a double tap: still one membership
    assert again.status_code == 302 and Membership.objects.filter(group=group, user=member).count() == 1


def test_asking_to_join_waits_for_a_facilitator_who_approves(member, member_client):
    facilitator = factories.supporter()
    group = _group(facilitator=facilitator)
    response = member_client.post(f"/groups/{group.pk}/join/", {"accept": "on"}, follow=True)
    assert "Your request is with the facilitators" in " ".join(_messages(response))
    assert "You have asked to join" in response.content.decode()
    assert member_client.get(f"/threads/{group.thread_id}/").status_code == 404
    membership = Membership.objects.get(group=group, user=member)
    helper = _client(facilitator)
    page = helper.get(f"/groups/{group.pk}/facilitate/").content.decode()
    assert "Alice" in page and f"/groups/{group.pk}/members/{membership.pk}/approve/" in page
    helper.post(f"/groups/{group.pk}/members/{membership.pk}/approve/")
    assert member_client.get(f"/threads/{group.thread_id}/").status_code == 200


def test_a_full_an_ended_group_and_a_removed_member_each_get_a_clear_answer(member, member_client):
    full = _group(capacity=2, join_policy=JoinPolicy.OPEN)
    for _ in range(2):
        services.join(group=full, user=factories.member(), accepted_agreement=True)
    assert "This group is full" in full_page(member_client, full)
    response = member_client.post(f"/groups/{full.pk}/join/", {"accept": "on"}, follow=True)
    assert "This group is full. Try another, or ask a coordinator about a new one." in _messages(response)
    ended = _group(join_policy=JoinPolicy.OPEN)
    services.end_group(group=ended)
    response = member_client.post(f"/groups/{ended.pk}/join/", {"accept": "on"}, follow=True)
    assert "This group has ended, so it takes no new members." in _messages(response)
    facilitator = factories.supporter()
    removed = _group(join_policy=JoinPolicy.OPEN, facilitator=facilitator)
    services.join(group=removed, user=member, accepted_agreement=True)
    services.remove(membership=removed.memberships.get(user=member), by=facilitator)
    response = member_client.post(f"/groups/{removed.pk}/join/", {"accept": "on"}, follow=True)
    assert "A facilitator removed you from this group, so you cannot join it again." in _messages(response)
    assert not Membership.objects.filter(user=member, state=MembershipState.ACTIVE).exists()


def full_page(client: Client, group: Group) -> str:
    return client.get(f"/groups/{group.pk}/").content.decode()


def test_leaving_asks_first_then_closes_the_conversation(member, member_client):
    group = _group(join_policy=JoinPolicy.OPEN)
    services.join(group=group, user=member, accepted_agreement=True)
    assert "Leave the group" in member_client.get(f"/groups/{group.pk}/leave/").content.decode()
    assert Membership.objects.get(group=group, user=member).is_active  # asking is not leaving
    member_client.post(f"/groups/{group.pk}/leave/")
    assert Membership.objects.get(group=group, user=member).state == MembershipState.LEFT
    assert member_client.get(f"/threads/{group.thread_id}/").status_code == 404


def test_facilitators_mute_pause_and_remove_and_the_thread_page_says_so(member, member_client):
    facilitator = factories.supporter()
    group = _group(join_policy=JoinPolicy.OPEN, facilitator=facilitator)
    services.join(group=group, user=member, accepted_agreement=True)
    membership = group.memberships.get(user=member)
    helper = _client(facilitator)
    helper.post(f"/groups/{group.pk}/members/{membership.pk}/mute/")
    assert "muted you" in member_client.get(f"/threads/{group.thread_id}/").content.decode()
    helper.post(f"/groups/{group.pk}/members/{membership.pk}/unmute/")
    helper.post(f"/groups/{group.pk}/pause/")
    page = member_client.get(f"/threads/{group.thread_id}/").content.decode()
    assert "paused this conversation" in page and "muted you" not in page
    helper.post(f"/groups/{group.pk}/resume/")
    assert "paused" not in member_client.get(f"/threads/{group.thread_id}/").content.decode()
    confirm = helper.get(f"/groups/{group.pk}/members/{membership.pk}/remove/").content.decode()
    assert "Remove Alice from" in confirm
    assert Membership.objects.get(pk=membership.pk).is_active  # the confirmation is not the removal
    helper.post(f"/groups/{group.pk}/members/{membership.pk}/remove/")
    assert Membership.objects.get(pk=membership.pk).state == MembershipState.REMOVED
    assert member_client.get(f"/threads/{group.thread_id}/").status_code == 404
    # A facilitator's membership is not a member's to remove, and another group's membership is a 404.
    own = group.memberships.get(user=facilitator)
    response = helper.post(f"/groups/{group.pk}/members/{own.pk}/remove/", follow=True)
    assert "Facilitators are changed by a coordinator." in _messages(response)
    elsewhere = _group(join_policy=JoinPolicy.OPEN)
    services.join(group=elsewhere, user=factories.member(), accepted_agreement=True)
    theirs = elsewhere.memberships.get(role="member")
    assert helper.post(f"/groups/{group.pk}/members/{theirs.pk}/mute/").status_code == 404
    assert Membership.objects.get(pk=theirs.pk).muted_at is None


def test_a_facilitator_ends_a_drop_in_and_its_conversation_closes(member, member_client):
    facilitator = factories.supporter()
    drop_in = _group(
        kind=GroupKind.DROP_IN,
        facilitator=facilitator,
        starts_at=now() - dt.timedelta(minutes=5),
        ends_at=now() + dt.timedelta(hours=1),
    )
    services.join(group=drop_in, user=member, accepted_agreement=True)
    helper = _client(facilitator)
    assert "End the drop-in" in helper.get(f"/groups/{drop_in.pk}/end/").content.decode()
    helper.post(f"/groups/{drop_in.pk}/end/")
    assert Group.objects.get(pk=drop_in.pk).is_ended
    page = member_client.get(f"/threads/{drop_in.thread_id}/").content.decode()
    assert "This group has ended" in page and 'data-open="false"' in page


def test_a_coordinator_makes_a_drop_in_in_their_own_time_zone(coordinator, coordinator_client):
    coordinator.profile.time_zone = "Australia/Perth"
    coordinator.profile.save()
    helper = factories.supporter(display_name="Fran")
    tomorrow = (now() + dt.timedelta(days=1)).astimezone(zoneinfo.ZoneInfo("Australia/Perth")).date()
    data = {
        "name": "Night shift drop-in",
        "description": "Come as you are.",
        "capacity": "10",
        "date": tomorrow.isoformat(),
        "start": "21:00",
        "end": "22:00",
        "facilitators": [str(helper.pk)],
    }
    response = coordinator_client.post("/groups/manage/new/dropin/", data)
    assert response.status_code == 302
    made = Group.objects.get(name="Night shift drop-in")
    perth = zoneinfo.ZoneInfo("Australia/Perth")
    assert made.kind == GroupKind.DROP_IN and made.join_policy == JoinPolicy.OPEN
    assert made.starts_at == dt.datetime.combine(tomorrow, dt.time(21), tzinfo=perth).astimezone(dt.UTC)
    assert made.ends_at is not None and made.ends_at - made.starts_at == dt.timedelta(hours=1)
    assert made.memberships.get().user == helper


def test_the_coordinators_form_refuses_bad_input_and_saves_nothing(coordinator_client):
    helper = factories.supporter()
    member = factories.member()
    base = {"name": "Drop-in", "capacity": "10", "date": "2031-05-01", "start": "21:00", "end": "20:00"}
    response = coordinator_client.post("/groups/manage/new/dropin/", {**base, "facilitators": [str(helper.pk)]})
    assert "The end must be after the start" in response.content.decode()
    past = {**base, "date": "2020-05-01", "end": "22:00", "facilitators": [str(helper.pk)]}
    response = coordinator_client.post("/groups/manage/new/dropin/", past)
    assert "That time has already passed" in response.content.decode()
    response = coordinator_client.post(
        "/groups/manage/new/circle/", {"name": "A", "capacity": "500", "facilitators": [str(member.pk)]}
    )
    page = response.content.decode()
    assert "Select a valid choice" in page or "Choose" in page  # a member is not a facilitator
    assert "less than or equal to 200" in page
    assert coordinator_client.get("/groups/manage/new/debrief/").status_code == 302
    assert not Group.objects.exists()


def test_coordinators_edit_add_facilitators_and_close_a_circle(coordinator_client):
    group = _group(join_policy=JoinPolicy.OPEN, capacity=4, facilitator=factories.supporter(display_name="Fran"))
    services.join(group=group, user=factories.member(), accepted_agreement=True)
    page = coordinator_client.get(f"/groups/manage/{group.pk}/").content.decode()
    assert "Fran" in page and "Close this group" in page
    response = coordinator_client.post(
        f"/groups/manage/{group.pk}/", {"name": "Interns 2027", "capacity": "0", "join_policy": "open"}
    )
    assert "greater than or equal to 2" in response.content.decode()
    coordinator_client.post(
        f"/groups/manage/{group.pk}/",
        {"name": "Interns 2027", "capacity": "6", "join_policy": "approval", "purpose": Purpose.INTERNS},
    )
    group.refresh_from_db()
    assert (group.name, group.capacity, group.join_policy, group.purpose) == ("Interns 2027", 6, "approval", "interns")
    second = factories.supporter(display_name="Sam")
    coordinator_client.post(f"/groups/manage/{group.pk}/facilitators/add/", {"person": second.pk})
    assert group.memberships.get(user=second).is_facilitator
    coordinator_client.post(f"/groups/manage/{group.pk}/close/")
    group.refresh_from_db()
    assert group.is_ended and group.thread.closed_at is not None


def test_a_standing_circles_thread_says_each_message_is_kept_for_the_set_days():
    facilitator, person = factories.supporter(), factories.member()
    group = services.create_group(
        kind=GroupKind.CIRCLE, name="Exams", created_by=None, facilitators=[facilitator], join_policy=JoinPolicy.OPEN
    )
    services.join(group=group, user=person, accepted_agreement=True)
    client = Client()
    client.force_login(person)
    page = client.get(f"/threads/{group.thread_id}/").content.decode()
    assert "Each message is kept for" in page and "after this conversation ends" not in page
