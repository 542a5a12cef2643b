"""Data rights in groups: the export lists one's groups and debriefs (naming nobody else), deleting an account erases
one's group messages and memberships (a group left with no facilitator is paused and the coordinators told), and
retention erases closed group threads and, in a standing group's open thread, messages older than the set days."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from alongside.audit.models import AuditEvent
from alongside.conversations.models import Message, ThreadMember
from alongside.conversations.services import post_message
from alongside.groups import services as group_services
from alongside.groups.models import Debrief, DebriefMode, Group, GroupKind, JoinPolicy, Membership, MembershipState
from alongside.lib.time import now
from alongside.notifications.models import Kind, Notification
from alongside.safety.privacy import delete_account, export_data
from alongside.safety.retention import apply_retention
from alongside.service.models import ServiceSettings
from alongside.service.selectors import forget_snapshot
from tests import factories

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _circle(facilitators: list[Any], *members: Any, kind: str = GroupKind.CIRCLE, name: str = "Interns 2027") -> Group:
    group = group_services.create_group(
        kind=kind, name=name, created_by=facilitators[0], facilitators=facilitators, join_policy=JoinPolicy.OPEN
    )
    for person in members:
        group_services.join(group=group, user=person, accepted_agreement=True)
    return group


def _bodies(**filters: Any) -> list[str]:
    """The words still held (bodies are encrypted at rest, so they are compared once read)."""
    return [m.body for m in Message.objects.filter(**filters).order_by("thread_id", "seq") if m.body]


def _say(group: Group, person: Any, body: str, key: str) -> None:
    assert post_message(thread_id=group.thread_id, sender_id=person.pk, client_key=key, body=body)


# --- export --------------------------------------------------------------------------------------------------------


def test_the_export_lists_ones_groups_and_own_group_messages_and_names_nobody_else(member, supporter, other_member):
    circle = _circle([supporter], member, other_member)
    dropin = _circle([supporter], member, kind=GroupKind.DROP_IN, name="Friday drop-in")
    group_services.leave(group=dropin, user=member)
    _say(circle, member, "MINE-CANARY", "a")
    _say(circle, other_member, "THEIRS-CANARY", "b")
    _say(circle, supporter, "FACILITATOR-CANARY", "c")

    data = export_data(user=member)
    rows = {row["group"]: row for row in data["groups"]}
    assert set(rows) == {"Interns 2027", "Friday drop-in"}
    assert rows["Interns 2027"]["kind"] == "Peer circle" and rows["Interns 2027"]["you_were"] == "member"
    assert rows["Interns 2027"]["joined"] is not None and rows["Interns 2027"]["left"] is None
    assert rows["Friday drop-in"]["state"] == "Left" and rows["Friday drop-in"]["left"] is not None
    assert [m["text"] for m in data["messages_you_wrote"]] == ["MINE-CANARY"]
    text = json.dumps(data)
    for other in ("THEIRS-CANARY", "FACILITATOR-CANARY", "Olive", "Bob"):
        assert other not in text
    facilitator_rows = export_data(user=supporter)["groups"]
    assert {r["you_were"] for r in facilitator_rows} == {"facilitator"}


def test_a_debrief_appears_without_its_name_or_record_or_anyone_elses_name(member, supporter, other_member):
    debrief = _circle([supporter], kind=GroupKind.DEBRIEF, name="Code blue ward 5 with Dr Olive")
    Debrief.objects.create(
        group=debrief,
        mode=DebriefMode.HOT,
        started_by=supporter,
        start_key="k",
        invite_selector="sel",
        invite_verifier_hash="x" * 64,
        invite_expires_at=now() + DAY,
        summary="RECORD-CANARY",
    )
    for person in (member, other_member):
        Membership.objects.create(group=debrief, user=person, state=MembershipState.ACTIVE, joined_at=now())

    data = export_data(user=member)
    assert data["groups"] == []
    [row] = data["debriefs_you_took_part_in"]
    assert row["mode"] == "Hot debrief (now, about five minutes)" and row["you_were"] == "member"
    assert row["joined"] is not None and row["offer_of_support_sent"] is None
    text = json.dumps(data)
    assert "Code blue" not in text and "RECORD-CANARY" not in text and "Olive" not in text and "Bob" not in text


# --- deleting an account -------------------------------------------------------------------------------------------


def test_deleting_an_account_erases_its_group_messages_and_its_memberships(member, supporter, other_member):
    circle = _circle([supporter], member, other_member)
    _say(circle, member, "GONE-CANARY", "a")
    _say(circle, other_member, "STAYS", "b")

    delete_account(user=member)

    assert _bodies() == ["STAYS"]
    erased = Message.objects.get(thread_id=circle.thread_id, seq=1)
    assert (erased.body, erased.sender_id, erased.deleted_at is not None) == ("", None, True)
    assert Message.objects.get(thread_id=circle.thread_id, seq=2).body == "STAYS"
    assert not Membership.objects.filter(group=circle, user_id=member.pk).exists()
    assert not ThreadMember.objects.filter(thread_id=circle.thread_id, user_id=member.pk).exists()
    assert circle.memberships.filter(state=MembershipState.ACTIVE).count() == 2  # the facilitator and Olive
    assert Group.objects.get(pk=circle.pk).paused_at is None  # a member leaving changes nothing else


def test_a_facilitator_leaving_for_good_leaves_the_group_with_its_other_facilitator(supporter, member, coordinator):
    second = factories.supporter()
    circle = _circle([supporter, second], member)

    delete_account(user=supporter)

    circle.refresh_from_db()
    assert circle.paused_at is None
    assert list(circle.memberships.filter(role="facilitator").values_list("user_id", flat=True)) == [second.pk]
    assert not Notification.objects.filter(kind=Kind.GROUP_NEEDS_FACILITATOR).exists()


def test_the_last_facilitator_leaving_for_good_pauses_the_group_and_tells_the_coordinators(
    supporter, member, coordinator
):
    circle = _circle([supporter], member)
    ended = _circle([supporter], member, kind=GroupKind.DROP_IN, name="Over")
    group_services.end_group(group=ended)
    other_coordinator, stepped_down = factories.coordinator(), factories.coordinator()
    type(stepped_down).objects.filter(pk=stepped_down.pk).update(is_active=False)

    delete_account(user=supporter)

    circle.refresh_from_db()
    assert circle.paused_at is not None
    told = Notification.objects.filter(kind=Kind.GROUP_NEEDS_FACILITATOR)
    assert sorted(told.values_list("user_id", flat=True)) == sorted([coordinator.pk, other_coordinator.pk])
    assert {n.link for n in told} == {circle.get_absolute_url()}
    assert Group.objects.get(pk=ended.pk).paused_at is None  # an ended group needs nobody
    event = AuditEvent.objects.get(action="groups.group.facilitator_gone")
    assert event.target_id == str(circle.pk) and not event.details


# --- retention -----------------------------------------------------------------------------------------------------


@pytest.fixture
def thirty_days() -> None:
    ServiceSettings.objects.update_or_create(pk=1, defaults={"message_retention_days": 30})
    forget_snapshot()


def test_an_ended_drop_ins_thread_is_erased_after_the_set_days(thirty_days, supporter, member):
    dropin = _circle([supporter], member, kind=GroupKind.DROP_IN, name="Friday drop-in")
    _say(dropin, member, "DROPIN-CANARY", "a")
    group_services.end_group(group=dropin)

    assert apply_retention(at=now() + 29 * DAY).messages == 0
    assert _bodies() == ["DROPIN-CANARY"]
    result = apply_retention(at=now() + 31 * DAY)
    assert result.messages == 1 and result.threads == 1
    assert _bodies() == []
    assert Group.objects.get(pk=dropin.pk).thread.erased_at is not None


def test_a_standing_circles_open_thread_loses_only_messages_older_than_the_set_days(thirty_days, supporter, member):
    circle = _circle([supporter], member)
    supervision = _circle([supporter], kind=GroupKind.SUPERVISION, name="Supervision")
    _say(circle, member, "OLD-CANARY", "a")
    _say(supervision, supporter, "OLD-SUPERVISION", "b")
    Message.objects.update(created_at=now() - 31 * DAY)
    _say(circle, member, "NEW-CANARY", "c")

    result = apply_retention()
    assert result.group_messages == 2 and result.threads == 0
    assert _bodies() == ["NEW-CANARY"] and _bodies(deleted_at__isnull=True) == ["NEW-CANARY"]
    old = Message.objects.get(thread_id=circle.thread_id, seq=1)
    assert old.body == "" and old.seq == 1  # the row and its seq stay: replay has no gaps
    circle.thread.refresh_from_db()
    assert circle.thread.closed_at is None and circle.thread.erased_at is None  # the circle goes on
    assert apply_retention().group_messages == 0  # nothing left to do
    assert (
        AuditEvent.objects.filter(action="safety.retention.applied").order_by("pk").last().details["group_messages"]
        == 0
    )


def test_an_open_connection_thread_is_not_touched_by_the_group_window(thirty_days, supporter, member):
    from alongside.connections.tests import factories as connection_factories  # only this test needs a connection
    from alongside.conversations.services import get_or_create_thread_for_connection  # as above

    thread = get_or_create_thread_for_connection(connection=connection_factories.connection(member, supporter))
    post_message(thread_id=thread.pk, sender_id=member.pk, client_key="a", body="CONNECTION-CANARY")
    Message.objects.update(created_at=now() - 90 * DAY)
    assert apply_retention().group_messages == 0
    assert _bodies() == ["CONNECTION-CANARY"]
