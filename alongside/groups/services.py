"""Writes for groups: making one, joining (the agreement first), asking and approving, leaving, removing, muting,
pausing and ending. Each is keyword-only and atomic, raises ``ValidationError`` with words a person can act on,
and leaves an audit event with no free text. Membership and the thread's members are kept in step here and only
here; a person who stops being an active member has every socket re-checked at once (their group sockets close).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from alongside.audit.services import record
from alongside.conversations.models import ThreadKind, ThreadMember
from alongside.conversations.services import close_thread, create_thread
from alongside.groups.models import (
    AGREEMENT_VERSION,
    CAPACITY_MAX,
    CAPACITY_MIN,
    Group,
    GroupKind,
    JoinPolicy,
    Membership,
    MembershipState,
    Role,
)
from alongside.lib.sockets import Reason, close_user_sockets, tell_thread_closed
from alongside.lib.time import now
from alongside.notifications.models import Kind
from alongside.notifications.services import notify

ROOM_BYTES = 24
"""The video room's name: 24 random bytes (32 characters), unguessable."""


def new_room_name() -> str:
    return "alongside-" + secrets.token_urlsafe(ROOM_BYTES)


def _check_capacity(capacity: int) -> None:
    if not CAPACITY_MIN <= capacity <= CAPACITY_MAX:
        raise ValidationError({"capacity": f"A group holds between {CAPACITY_MIN} and {CAPACITY_MAX} members."})


def _checked_details(*, name: str, capacity: int, starts_at: Any, ends_at: Any) -> str:
    """The checks a group's details pass when it is made and whenever it is changed; returns the tidied name."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the group a name."})
    _check_capacity(capacity)
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": "The end must be after the start."})
    return name


@transaction.atomic
def create_group(
    *,
    kind: str,
    name: str,
    created_by: Any,
    facilitators: Sequence[Any],
    purpose: str = "",
    description: str = "",
    capacity: int = 12,
    join_policy: str = JoinPolicy.APPROVAL,
    schedule: str = "",
    starts_at: Any = None,
    ends_at: Any = None,
    request: HttpRequest | None = None,
) -> Group:
    """A new group with its thread and room; its facilitators are its first members (they hold the agreement)."""
    if kind not in GroupKind.values:
        raise ValueError(f"unknown group kind {kind!r}")
    name = _checked_details(name=name, capacity=capacity, starts_at=starts_at, ends_at=ends_at)
    if not facilitators:
        raise ValidationError({"facilitators": "Choose at least one facilitator."})
    at = now()
    thread = create_thread(kind=ThreadKind.GROUP, user_ids=[f.pk for f in facilitators])
    group = Group.objects.create(
        kind=kind,
        name=name,
        purpose=purpose,
        description=description.strip(),
        capacity=capacity,
        join_policy=JoinPolicy.OPEN if kind in (GroupKind.DROP_IN, GroupKind.DEBRIEF) else join_policy,
        schedule=schedule.strip(),
        thread=thread,
        room=new_room_name(),
        created_by=created_by,
        created_at=at,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    Membership.objects.bulk_create(
        [
            Membership(
                group=group,
                user=person,
                role=Role.FACILITATOR,
                state=MembershipState.ACTIVE,
                agreement_version=AGREEMENT_VERSION,
                agreement_accepted_at=at,
                joined_at=at,
            )
            for person in {f.pk: f for f in facilitators}.values()
        ]
    )
    record("groups.group.created", actor=created_by, target=group, request=request, details={"kind": kind})
    return group


def facilitator_ids(group: Group) -> list[int]:
    return list(
        Membership.objects.filter(group=group, role=Role.FACILITATOR, state=MembershipState.ACTIVE).values_list(
            "user_id", flat=True
        )
    )


def active_member_count(group: Group) -> int:
    """Members holding a place (facilitators do not count against the capacity)."""
    return Membership.objects.filter(group=group, role=Role.MEMBER, state=MembershipState.ACTIVE).count()


def _lock(group: Group) -> Group:
    """The group's row, locked: joins and approvals count the places under it, so two never take the last one."""
    return Group.objects.select_for_update().get(pk=group.pk)


def _activate(membership: Membership, *, shown_name: str = "") -> None:
    """The membership is active and the person is a member of the thread again (a rejoin keeps their read mark)."""
    at = now()
    membership.state = MembershipState.ACTIVE
    membership.joined_at = at
    membership.left_at = None
    membership.muted_at = None
    membership.save(update_fields=["state", "joined_at", "left_at", "muted_at"])
    row, created = ThreadMember.objects.get_or_create(
        thread_id=membership.group.thread_id,
        user_id=membership.user_id,
        defaults={"joined_at": at, "shown_name": shown_name},
    )
    if not created:
        row.left_at = None
        row.save(update_fields=["left_at"])


def _deactivate(membership: Membership, state: str) -> None:
    """The membership ends (left, removed); the thread lets the person go and their sockets re-check at once."""
    at = now()
    membership.state = state
    membership.left_at = at
    membership.save(update_fields=["state", "left_at", "removed_by"])
    ThreadMember.objects.filter(thread_id=membership.group.thread_id, user_id=membership.user_id).update(left_at=at)
    user_id = membership.user_id
    transaction.on_commit(lambda: close_user_sockets(user_id, Reason.ACCESS_CHANGED))


@transaction.atomic
def join(*, group: Group, user: Any, accepted_agreement: bool, request: HttpRequest | None = None) -> Membership:
    """Join (open circles, drop-ins) or ask to join (circles by request). The agreement comes first; a full group
    says so; an ended group takes nobody. Joining again while a member (a double tap) returns the membership."""
    group = _lock(group)
    existing = Membership.objects.filter(group=group, user=user).first()
    if existing is not None and existing.state in (MembershipState.ACTIVE, MembershipState.REQUESTED):
        return existing
    if group.is_ended:
        raise ValidationError("This group has ended, so it takes no new members.")
    if group.kind == GroupKind.DEBRIEF:
        raise ValidationError("A debrief is joined through its invitation link.")
    if group.kind == GroupKind.SUPERVISION and not (user.is_supporter or user.is_coordinator):
        raise ValidationError("Supervision groups are for supporters.")
    if existing is not None and existing.state == MembershipState.REMOVED:
        raise ValidationError("A facilitator removed you from this group, so you cannot join it again.")
    if not accepted_agreement:
        raise ValidationError({"agreement": "Please read and accept the group agreement to join."})
    if active_member_count(group) >= group.capacity:
        raise ValidationError("This group is full. Try another, or ask a coordinator about a new one.")
    at = now()
    membership = existing or Membership(group=group, user=user, role=Role.MEMBER)
    membership.agreement_version = AGREEMENT_VERSION
    membership.agreement_accepted_at = at
    spontaneous = group.kind == GroupKind.DROP_IN or group.join_policy == JoinPolicy.OPEN
    if spontaneous:
        membership.state = MembershipState.ACTIVE
        membership.joined_at = at
        membership.save()
        _activate(membership)
        record("groups.member.joined", actor=user, target=group, request=request)
    else:
        membership.state = MembershipState.REQUESTED
        membership.requested_at = at
        membership.save()
        record("groups.member.requested", actor=user, target=group, request=request)
        link = reverse("groups:facilitate", kwargs={"pk": group.pk})
        for facilitator_id in facilitator_ids(group):
            notify(user_id=facilitator_id, kind=Kind.GROUP_REQUEST_NEW, link=link)
    return membership


@transaction.atomic
def approve(*, membership: Membership, by: Any, request: HttpRequest | None = None) -> Membership:
    group = _lock(membership.group)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.state == MembershipState.ACTIVE:
        return membership
    if membership.state != MembershipState.REQUESTED:
        raise ValidationError("This request has already been answered.")
    if active_member_count(group) >= group.capacity:
        raise ValidationError("The group is full: raise its capacity or ask someone to make room first.")
    _activate(membership)
    record("groups.member.approved", actor=by, target=group, subject=membership.user, request=request)
    notify(user_id=membership.user_id, kind=Kind.GROUP_JOINED, link=group.get_absolute_url())
    return membership


@transaction.atomic
def decline(*, membership: Membership, by: Any, request: HttpRequest | None = None) -> Membership:
    membership = Membership.objects.select_for_update().select_related("group").get(pk=membership.pk)
    if membership.state != MembershipState.REQUESTED:
        raise ValidationError("This request has already been answered.")
    membership.state = MembershipState.DECLINED
    membership.save(update_fields=["state"])
    record("groups.member.declined", actor=by, target=membership.group, subject=membership.user, request=request)
    notify(user_id=membership.user_id, kind=Kind.GROUP_DECLINED, link=reverse("groups:directory"))
    return membership


@transaction.atomic
def leave(*, group: Group, user: Any, request: HttpRequest | None = None) -> None:
    """Leave at any time (or withdraw a request). A group's last facilitator hands over to a coordinator first."""
    membership = Membership.objects.select_for_update().filter(group=group, user=user).first()
    if membership is None or membership.state not in (MembershipState.ACTIVE, MembershipState.REQUESTED):
        return
    if membership.is_facilitator and not group.is_ended:
        others = Membership.objects.filter(group=group, role=Role.FACILITATOR, state=MembershipState.ACTIVE).exclude(
            pk=membership.pk
        )
        if not others.exists():
            raise ValidationError("You are this group's only facilitator: ask a coordinator to add another first.")
    membership.removed_by = None
    _deactivate(membership, MembershipState.LEFT)
    record("groups.member.left", actor=user, target=group, request=request)


@transaction.atomic
def remove(*, membership: Membership, by: Any, request: HttpRequest | None = None) -> None:
    """A facilitator removes a member: they lose the thread and the room at once, and cannot rejoin."""
    membership = Membership.objects.select_for_update().select_related("group").get(pk=membership.pk)
    if membership.is_facilitator:
        raise ValidationError("Facilitators are changed by a coordinator.")
    if membership.state not in (MembershipState.ACTIVE, MembershipState.REQUESTED):
        return
    membership.removed_by = by
    _deactivate(membership, MembershipState.REMOVED)
    record("groups.member.removed", actor=by, target=membership.group, subject=membership.user, request=request)
    notify(user_id=membership.user_id, kind=Kind.GROUP_REMOVED, link=reverse("groups:directory"))


@transaction.atomic
def set_muted(*, membership: Membership, muted: bool, by: Any, request: HttpRequest | None = None) -> None:
    """Mute (reads, cannot post) or unmute a member. Takes effect on their next message."""
    if membership.is_facilitator:
        raise ValidationError("Facilitators cannot be muted.")
    if not membership.is_active:
        raise ValidationError("This person is no longer in the group.")
    Membership.objects.filter(pk=membership.pk).update(muted_at=now() if muted else None)
    action = "groups.member.muted" if muted else "groups.member.unmuted"
    record(action, actor=by, target=membership.group, subject=membership.user, request=request)


@transaction.atomic
def set_paused(*, group: Group, paused: bool, by: Any, request: HttpRequest | None = None) -> None:
    """Pause the thread (only facilitators may post) or let everyone post again."""
    Group.objects.filter(pk=group.pk).update(paused_at=now() if paused else None)
    record("groups.thread.paused" if paused else "groups.thread.resumed", actor=by, target=group, request=request)


@transaction.atomic
def end_group(*, group: Group, by: Any = None, request: HttpRequest | None = None) -> bool:
    """End a drop-in or debrief (or close a circle): no new members, the thread closes (read-only) and its sockets
    are told. True when this call ended it (a second call, or the end-time task racing a person, does nothing)."""
    ended = Group.objects.filter(pk=group.pk, ended_at__isnull=True).update(ended_at=now())
    if not ended:
        return False
    close_thread(thread=group.thread)
    thread_id = group.thread_id
    transaction.on_commit(lambda: tell_thread_closed(thread_id))
    record("groups.group.ended", actor=by, target=group, request=request)
    return True


# --- coordinators: a group's details and its facilitators ----------------------------------------------------------


@transaction.atomic
def update_group(
    *,
    group: Group,
    by: Any,
    name: str,
    purpose: str = "",
    description: str = "",
    capacity: int,
    join_policy: str = JoinPolicy.APPROVAL,
    schedule: str = "",
    starts_at: Any = None,
    ends_at: Any = None,
    request: HttpRequest | None = None,
) -> Group:
    """Change what a group is for, its size and its times. A capacity below the members it holds is refused (nobody
    is turned out to make it smaller); an ended group cannot be changed."""
    group = _lock(group)
    if group.is_ended:
        raise ValidationError("This group has ended, so it cannot be changed.")
    name = _checked_details(name=name, capacity=capacity, starts_at=starts_at, ends_at=ends_at)
    held = active_member_count(group)
    if capacity < held:
        raise ValidationError({"capacity": f"The group has {held} members now: the capacity cannot be less."})
    group.name = name
    group.purpose = purpose
    group.description = description.strip()
    group.capacity = capacity
    if group.kind in (GroupKind.CIRCLE, GroupKind.SUPERVISION):
        group.join_policy = join_policy
    group.schedule = schedule.strip()
    group.starts_at = starts_at
    group.ends_at = ends_at
    group.save()
    record("groups.group.changed", actor=by, target=group, request=request)
    return group


@transaction.atomic
def add_facilitator(*, group: Group, person: Any, by: Any, request: HttpRequest | None = None) -> Membership:
    """Make a supporter or coordinator a facilitator (a member already in the group becomes one)."""
    group = _lock(group)
    if group.is_ended:
        raise ValidationError("This group has ended.")
    if not person.is_active or not (person.is_supporter or person.is_coordinator):
        raise ValidationError({"person": "Facilitators are chosen from active supporters and coordinators."})
    membership = Membership.objects.select_for_update().filter(group=group, user=person).first()
    if membership is not None and membership.is_facilitator and membership.is_active:
        return membership
    at = now()
    membership = membership or Membership(group=group, user=person)
    membership.role = Role.FACILITATOR
    membership.agreement_version = AGREEMENT_VERSION
    membership.agreement_accepted_at = at
    membership.removed_by = None
    membership.state = MembershipState.ACTIVE
    membership.joined_at = at
    membership.save()
    _activate(membership)
    record("groups.facilitator.added", actor=by, target=group, subject=person, request=request)
    return membership


@transaction.atomic
def remove_facilitator(*, membership: Membership, by: Any, request: HttpRequest | None = None) -> None:
    """A facilitator steps down: they leave the group (thread and room). The last one stays until another is added."""
    group = _lock(membership.group)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not (membership.is_facilitator and membership.is_active):
        return
    others = Membership.objects.filter(group=group, role=Role.FACILITATOR, state=MembershipState.ACTIVE).exclude(
        pk=membership.pk
    )
    if not group.is_ended and not others.exists():
        raise ValidationError("A group needs a facilitator: add another before removing this one.")
    membership.role = Role.MEMBER
    membership.removed_by = None
    membership.save(update_fields=["role"])
    _deactivate(membership, MembershipState.LEFT)
    record("groups.facilitator.removed", actor=by, target=group, subject=membership.user, request=request)


@transaction.atomic
def release_for_deleted_account(*, user: Any, request: HttpRequest | None = None) -> list[int]:
    """Before an account is deleted (its memberships go with it): each running group it was the last active
    facilitator of is paused (members keep reading; nobody posts unsupervised) and the active coordinators are told
    it needs a facilitator. Groups with another facilitator carry on as they are. Returns the groups paused."""
    facilitated = Membership.objects.filter(
        user=user, role=Role.FACILITATOR, state=MembershipState.ACTIVE, group__ended_at__isnull=True
    ).values_list("group_id", flat=True)
    others = Membership.objects.filter(group_id__in=facilitated, role=Role.FACILITATOR, state=MembershipState.ACTIVE)
    covered = set(others.exclude(user=user).values_list("group_id", flat=True))
    orphaned = sorted(set(facilitated) - covered)
    if not orphaned:
        return []
    Group.objects.filter(pk__in=orphaned, paused_at__isnull=True).update(paused_at=now())
    coordinators = list(
        type(user).objects.filter(is_coordinator=True, is_active=True).exclude(pk=user.pk).values_list("pk", flat=True)
    )
    for group in Group.objects.filter(pk__in=orphaned):
        record("groups.group.facilitator_gone", target=group, request=request)
        for coordinator_id in coordinators:
            notify(user_id=coordinator_id, kind=Kind.GROUP_NEEDS_FACILITATOR, link=group.get_absolute_url())
    return orphaned
