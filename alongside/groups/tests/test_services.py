"""Circles, drop-ins and supervision groups: approval with its notifications, the last place under a race (on
PostgreSQL), the coordinators' changes, and drop-ins ending at their set time."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.http import Http404

from alongside.audit.models import AuditEvent
from alongside.conversations.access import get_thread_for_member
from alongside.conversations.models import Thread
from alongside.groups import services, tasks
from alongside.groups.models import Group, GroupKind, JoinPolicy, MembershipState, Role
from alongside.lib.time import now
from alongside.notifications.models import Kind, Notification
from alongside.safety.retention import expired_threads
from tests import factories


def _circle(**kwargs):
    facilitator = factories.supporter()
    group = services.create_group(
        kind=kwargs.pop("kind", GroupKind.CIRCLE),
        name="Regulator notifications",
        created_by=factories.coordinator(),
        facilitators=[facilitator],
        **kwargs,
    )
    return group, facilitator


def _kinds(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("kind", flat=True))


@pytest.mark.django_db
def test_a_request_tells_the_facilitators_and_the_answer_tells_the_person():
    group, facilitator = _circle()
    asking, declined = factories.member(), factories.member()
    request = services.join(group=group, user=asking, accepted_agreement=True)
    other = services.join(group=group, user=declined, accepted_agreement=True)
    assert _kinds(facilitator) == [Kind.GROUP_REQUEST_NEW, Kind.GROUP_REQUEST_NEW]
    assert Notification.objects.filter(user=facilitator).first().link == f"/groups/{group.pk}/facilitate/"
    services.approve(membership=request, by=facilitator)
    services.decline(membership=other, by=facilitator)
    assert _kinds(asking) == [Kind.GROUP_JOINED] and _kinds(declined) == [Kind.GROUP_DECLINED]
    with pytest.raises(ValidationError, match="already been answered"):
        services.approve(membership=other, by=facilitator)
    services.remove(membership=request, by=facilitator)
    assert _kinds(asking) == [Kind.GROUP_JOINED, Kind.GROUP_REMOVED]
    # Notifications say only that something happened: the link is to a page, the kind is fixed words.
    assert all(n.link.startswith("/groups/") for n in Notification.objects.all())


@pytest.mark.django_db
def test_approval_respects_the_capacity():
    group, facilitator = _circle(capacity=2)
    people = [factories.member() for _ in range(3)]
    asked = [services.join(group=group, user=p, accepted_agreement=True) for p in people]
    services.approve(membership=asked[0], by=facilitator)
    services.approve(membership=asked[1], by=facilitator)
    with pytest.raises(ValidationError, match="full"):
        services.approve(membership=asked[2], by=facilitator)
    asked[2].refresh_from_db()
    assert asked[2].state == MembershipState.REQUESTED  # nothing half-saved


@pytest.mark.django_db
def test_supervision_is_for_supporters_and_a_debrief_is_not_joined_from_the_directory():
    group, _facilitator = _circle(kind=GroupKind.SUPERVISION, join_policy=JoinPolicy.OPEN)
    with pytest.raises(ValidationError, match="for supporters"):
        services.join(group=group, user=factories.member(), accepted_agreement=True)
    assert services.join(group=group, user=factories.supporter(), accepted_agreement=True).is_active


@pytest.mark.django_db
def test_coordinators_change_a_group_but_never_below_its_members():
    group, _facilitator = _circle(capacity=3, join_policy=JoinPolicy.OPEN)
    coordinator = factories.coordinator()
    for _ in range(3):
        services.join(group=group, user=factories.member(), accepted_agreement=True)
    fields = {"name": "  Regulator   help ", "description": "For you.", "join_policy": JoinPolicy.APPROVAL}
    with pytest.raises(ValidationError, match="has 3 members"):
        services.update_group(group=group, by=coordinator, capacity=2, **fields)
    changed = services.update_group(group=group, by=coordinator, capacity=5, **fields)
    assert (changed.name, changed.capacity, changed.join_policy) == ("Regulator help", 5, JoinPolicy.APPROVAL)


@pytest.mark.django_db
def test_facilitators_are_added_from_supporters_and_the_last_one_stays():
    group, facilitator = _circle()
    coordinator = factories.coordinator()
    with pytest.raises(ValidationError, match="supporters and coordinators"):
        services.add_facilitator(group=group, person=factories.member(), by=coordinator)
    first = group.memberships.get(user=facilitator)
    with pytest.raises(ValidationError, match="needs a facilitator"):
        services.remove_facilitator(membership=first, by=coordinator)
    second = services.add_facilitator(group=group, person=factories.supporter(), by=coordinator)
    assert second.role == Role.FACILITATOR and second.is_active
    assert get_thread_for_member(second.user, group.thread_id, via="test")
    services.remove_facilitator(membership=first, by=coordinator)
    first.refresh_from_db()
    assert first.state == MembershipState.LEFT
    with pytest.raises(Http404):
        get_thread_for_member(facilitator, group.thread_id, via="test")


@pytest.mark.django_db
def test_drop_ins_end_at_their_set_time_once_and_their_thread_later_expires():
    facilitator = factories.supporter()
    past = services.create_group(
        kind=GroupKind.DROP_IN,
        name="Tuesday night drop-in",
        created_by=factories.coordinator(),
        facilitators=[facilitator],
        starts_at=now() - dt.timedelta(hours=2),
        ends_at=now() - dt.timedelta(minutes=1),
    )
    later = services.create_group(
        kind=GroupKind.DROP_IN,
        name="Thursday drop-in",
        created_by=factories.coordinator(),
        facilitators=[facilitator],
        starts_at=now() - dt.timedelta(minutes=10),
        ends_at=now() + dt.timedelta(hours=1),
    )
    circle, _ = _circle()
    assert tasks.end_due_drop_ins() == 1
    assert tasks.end_due_drop_ins() == 0  # idempotent: nothing left to end
    assert Group.objects.get(pk=past.pk).is_ended
    assert not Group.objects.get(pk=later.pk).is_ended and not Group.objects.get(pk=circle.pk).is_ended
    assert AuditEvent.objects.filter(action="groups.group.ended").count() == 1
    thread = Thread.objects.get(pk=past.thread_id)
    assert thread.closed_at is not None
    # The retention policy erases a closed group thread's words like any closed thread's, days after it closed.
    assert thread in expired_threads(now() + dt.timedelta(days=60))
    assert thread not in expired_threads(now() - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="ended"):
        services.join(group=past, user=factories.member(), accepted_agreement=True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_joins_for_the_last_place_one_gets_it(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers anyway")
    counted = services.active_member_count

    def slow_count(group):
        # Widen the window between counting the places and taking one: without the lock on the group's row both
        # joins would count "one place left".
        result = counted(group)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(services, "active_member_count", slow_count)
    group, _facilitator = _circle(capacity=2, join_policy=JoinPolicy.OPEN)
    services.join(group=group, user=factories.member(), accepted_agreement=True)  # one place left
    people = [factories.member(), factories.member()]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def join(person):
        try:
            barrier.wait(timeout=10)
            services.join(group=group, user=person, accepted_agreement=True)
            outcomes.append("joined")
        except ValidationError as exc:
            outcomes.append("full" if "full" in str(exc) else str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=join, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["full", "joined"]
    assert group.memberships.filter(role=Role.MEMBER, state=MembershipState.ACTIVE).count() == 2
