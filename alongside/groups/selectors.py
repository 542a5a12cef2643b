"""Reads for groups: the directory (what a person may see, with places left and their own state), a person's own
groups, and a group's page and facilitation lists. People appear by display name only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from alongside.groups.models import Group, GroupKind, Membership, MembershipState, Role

LISTED_KINDS = (GroupKind.CIRCLE, GroupKind.DROP_IN, GroupKind.SUPERVISION)
"""Debriefs are never listed: they are found through their invitation link."""


def visible_kinds(user: Any) -> list[str]:
    """The kinds the person may browse: circles and drop-ins; supervision groups for supporters and coordinators."""
    if user.is_guest:
        return []
    kinds = [GroupKind.CIRCLE.value, GroupKind.DROP_IN.value]
    if user.is_supporter or user.is_coordinator:
        kinds.append(GroupKind.SUPERVISION.value)
    return kinds


def with_counts(groups: QuerySet[Group]) -> QuerySet[Group]:
    return groups.annotate(
        held=Count("memberships", filter=Q(memberships__role=Role.MEMBER, memberships__state=MembershipState.ACTIVE))
    )


@dataclass
class Entry:
    group: Group
    places_left: int
    state: str
    """The viewer's membership state ("" for none)."""
    is_facilitator: bool

    @property
    def places_text(self) -> str:
        if self.places_left <= 0:
            return "Full"
        return "1 place left" if self.places_left == 1 else f"{self.places_left} places left"

    @property
    def is_open(self) -> bool:
        return self.group.kind == GroupKind.DROP_IN or self.group.join_policy == "open"

    @property
    def state_text(self) -> str:
        if self.is_facilitator and self.state == MembershipState.ACTIVE:
            return "You facilitate"
        return {
            MembershipState.ACTIVE: "You are a member",
            MembershipState.REQUESTED: "You have asked to join",
            MembershipState.REMOVED: "You were removed",
        }.get(self.state, "")  # type: ignore[call-overload]


def _entries(user: Any, groups: QuerySet[Group]) -> list[Entry]:
    rows = list(with_counts(groups))
    mine = {m.group_id: m for m in Membership.objects.filter(user_id=user.pk, group_id__in=[g.pk for g in rows])}
    entries = []
    for group in rows:
        membership = mine.get(group.pk)
        entries.append(
            Entry(
                group=group,
                places_left=max(group.capacity - group.held, 0),  # type: ignore[attr-defined]
                state=membership.state if membership else "",
                is_facilitator=bool(membership and membership.is_facilitator),
            )
        )
    return entries


def directory(user: Any, *, kind: str = "", purpose: str = "") -> list[Entry]:
    """Open groups the person may see, by kind and purpose if asked; drop-ins soonest first, then newest."""
    kinds = visible_kinds(user)
    if kind:
        kinds = [k for k in kinds if k == kind]
    groups = Group.objects.filter(kind__in=kinds, ended_at__isnull=True)
    if purpose:
        groups = groups.filter(purpose=purpose)
    return _entries(user, groups.order_by("kind", "starts_at", "-created_at", "-id"))


def my_groups(user: Any) -> list[Entry]:
    """The person's active groups (debriefs included: they are in them), newest first."""
    groups = Group.objects.filter(
        memberships__user_id=user.pk, memberships__state=MembershipState.ACTIVE, ended_at__isnull=True
    )
    return _entries(user, groups.order_by("-created_at", "-id"))


def entry(user: Any, group: Group) -> Entry:
    return _entries(user, Group.objects.filter(pk=group.pk))[0]


def facilitator_names(group: Group) -> list[str]:
    rows = Membership.objects.filter(group=group, role=Role.FACILITATOR, state=MembershipState.ACTIVE).select_related(
        "user__profile"
    )
    return sorted(m.user.display_name for m in rows)


def members(group: Group) -> list[Membership]:
    """Active members (not facilitators), by display name."""
    rows = Membership.objects.filter(group=group, role=Role.MEMBER, state=MembershipState.ACTIVE).select_related(
        "user__profile"
    )
    return sorted(rows, key=lambda m: m.user.display_name.lower())


def requests(group: Group) -> list[Membership]:
    """People asking to join, oldest first."""
    return list(
        Membership.objects.filter(group=group, state=MembershipState.REQUESTED)
        .select_related("user__profile")
        .order_by("requested_at", "pk")
    )


def facilitators(group: Group) -> list[Membership]:
    rows = Membership.objects.filter(group=group, role=Role.FACILITATOR, state=MembershipState.ACTIVE).select_related(
        "user__profile"
    )
    return sorted(rows, key=lambda m: m.user.display_name.lower())


def managed(*, ended: bool = False) -> QuerySet[Group]:
    """The coordinators' list: every listed kind (debriefs have their own page), open first."""
    return with_counts(Group.objects.filter(kind__in=LISTED_KINDS, ended_at__isnull=not ended))
