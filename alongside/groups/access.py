"""One access helper per object type, the first line of every view, and the group thread's rules for the chat.

Who may see a group: any signed-in person (not a guest) sees circles and drop-ins in the directory; supervision
groups are for supporters and coordinators; a debrief is seen only by the people in it, its starter and the
coordinators. Everyone else gets a 404 and an audited denial, and learns nothing of what exists. The thread and the
video room are for the group's active members only (facilitators included).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from alongside.audit.access import AuthedRequest, deny_404
from alongside.conversations.models import Thread
from alongside.groups.models import Group, GroupKind, Membership, MembershipState, Role

VIEW_ACTION = "groups.group.view"
MEMBER_ACTION = "groups.group.member"
FACILITATE_ACTION = "groups.group.facilitate"
TARGET = "groups.group"


def may_see(group: Group, user: Any, *, membership: Membership | None = None) -> bool:
    """Whether the person may see that the group exists (its directory entry and page)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if membership is not None and membership.state in (MembershipState.ACTIVE, MembershipState.REQUESTED):
        return True
    if user.is_guest:
        return False
    if group.kind == GroupKind.DEBRIEF:
        return bool(user.is_coordinator or group.debrief.started_by_id == user.pk)
    if group.kind == GroupKind.SUPERVISION:
        return bool(user.is_supporter or user.is_coordinator)
    return True


def membership_of(group: Group, user: Any) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(group=group, user_id=user.pk).first()


def get_group(request: AuthedRequest, pk: int) -> tuple[Group, Membership | None]:
    """The group and the viewer's membership (any state), for someone who may see it; else an audited 404."""
    group = Group.objects.select_related("thread").filter(pk=pk).first()
    membership = membership_of(group, request.user) if group is not None else None
    if group is None or not may_see(group, request.user, membership=membership):
        raise deny_404(request, action=VIEW_ACTION, target_type=TARGET, target_id=pk)
    return group, membership


def get_member_group(request: AuthedRequest, pk: int) -> tuple[Group, Membership]:
    """The group, for its active members only (the thread, the room, the meetings); else an audited 404."""
    group = Group.objects.select_related("thread").filter(pk=pk).first()
    membership = membership_of(group, request.user) if group is not None else None
    if group is None or membership is None or not holds_place(membership, group.kind, request.user):
        raise deny_404(request, action=MEMBER_ACTION, target_type=TARGET, target_id=pk)
    return group, membership


def holds_place(membership: Membership, kind: str, user: Any) -> bool:
    """An active member holds their place; a facilitator only while they keep the role facilitating needs (a
    supporter or coordinator; a debrief's starter, a debrief lead or coordinator): a removed role ends it."""
    if not membership.is_active or not user.is_active:
        return False
    if membership.role != Role.FACILITATOR:
        return True
    if kind == GroupKind.DEBRIEF:
        return bool(user.is_debrief_lead or user.is_coordinator)
    return bool(user.is_supporter or user.is_coordinator)


def get_facilitated_group(request: AuthedRequest, pk: int) -> tuple[Group, Membership]:
    """The group, for its active facilitators only, while they are supporters or coordinators (approve, mute, remove,
    pause, schedule); else an audited 404."""
    group = Group.objects.select_related("thread").filter(pk=pk).first()
    membership = membership_of(group, request.user) if group is not None else None
    if (
        group is None
        or membership is None
        or not membership.is_active
        or not membership.is_facilitator
        or not (request.user.is_supporter or request.user.is_coordinator)
    ):
        raise deny_404(request, action=FACILITATE_ACTION, target_type=TARGET, target_id=pk)
    return group, membership


def is_active_member(group_id: int, user_id: int) -> bool:
    return Membership.objects.filter(group_id=group_id, user_id=user_id, state=MembershipState.ACTIVE).exists()


# --- the group thread's rules (registered with conversations in apps.py) -----------------------------------------


def thread_open_to(thread: Thread, user: Any) -> bool:
    """A group's thread opens to its active members only: a removed or departed member's sockets close. A facilitator
    holds their place only while they are a supporter or coordinator (a debrief's, a debrief lead or coordinator): a
    removed role closes it like an outsider's."""
    membership = (
        Membership.objects.filter(group__thread_id=thread.pk, user_id=user.pk, state=MembershipState.ACTIVE)
        .select_related("group")
        .first()
    )
    return membership is not None and holds_place(membership, membership.group.kind, user)


def thread_refusals(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Messages the group refuses for now: from a muted member ("muted"), or from a member (not a facilitator)
    while a facilitator has paused the thread ("paused")."""
    thread_ids = {thread_id for thread_id, _user in pairs}
    user_ids = {user_id for _thread, user_id in pairs}
    rows = Membership.objects.filter(
        group__thread_id__in=thread_ids, user_id__in=user_ids, state=MembershipState.ACTIVE
    ).filter(Q(muted_at__isnull=False) | Q(group__paused_at__isnull=False, role=Role.MEMBER))
    refused: dict[tuple[int, int], str] = {}
    for thread_id, user_id, muted_at in rows.values_list("group__thread_id", "user_id", "muted_at"):
        if (thread_id, user_id) in pairs:
            refused[(thread_id, user_id)] = "muted" if muted_at is not None else "paused"
    return refused


def thread_header(thread: Thread, user: Any) -> dict[str, Any] | None:
    """The group thread page's header: the group's name, links back to its page and agreement, a banner while a
    facilitator has paused it (or the viewer is muted), and the words shown if the viewer is removed while reading."""
    group = Group.objects.filter(thread_id=thread.pk).first()
    if group is None:
        return None
    membership = membership_of(group, user)
    page = group.get_absolute_url()
    banner = ""
    if group.is_ended:
        banner = "This group has ended. You can still read its conversation for now."
    elif membership is not None and membership.muted_at is not None:
        banner = "A facilitator has muted you in this group for now: you can read, but not send."
    elif group.is_paused:
        banner = "A facilitator has paused this conversation for now. You can read it; only facilitators can send."
    return {
        "title": group.name,
        "links": [(page, "About this group"), (page + "#agreement", "Group agreement")],
        "note": "Shared with the group's members, by display name. What is shared here stays here.",
        "rolling_retention": group.kind in (GroupKind.CIRCLE, GroupKind.SUPERVISION),
        "banner": banner,
        "gone_text": "You are no longer in this group, so its conversation is closed to you.",
        "no_call": True,
    }


MANAGE_ACTION = "groups.group.manage"


def get_managed_group(request: AuthedRequest, pk: int) -> Group:
    """A circle, drop-in or supervision group, for the coordinators' pages (the role is checked first, by
    ``coordinator_required``); a debrief or no such group is an audited 404."""
    group = (
        Group.objects.select_related("thread")
        .filter(pk=pk, kind__in=(GroupKind.CIRCLE, GroupKind.DROP_IN, GroupKind.SUPERVISION))
        .first()
    )
    if group is None:
        raise deny_404(request, action=MANAGE_ACTION, target_type=TARGET, target_id=pk)
    return group


def get_membership_in(request: AuthedRequest, group: Group, pk: int, *, action: str) -> Membership:
    """A membership of this group (the facilitator's and coordinator's pages act on one); another's is a 404."""
    membership = Membership.objects.select_related("user__profile", "group").filter(pk=pk, group=group).first()
    if membership is None:
        raise deny_404(request, action=action, target_type="groups.membership", target_id=pk)
    return membership


# --- incident debriefs ---------------------------------------------------------------------------------------------

DEBRIEF_ACTION = "groups.debrief.view"
LEAD_ACTION = "groups.debrief.lead"
AFTER_ACTION = "groups.debrief.after"


def get_debrief(request: AuthedRequest, pk: int) -> tuple[Group, Membership | None]:
    """A debrief's page: for the people in it (guests included), its starter and the coordinators; else an
    audited 404."""
    group = Group.objects.select_related("thread", "debrief").filter(pk=pk, kind=GroupKind.DEBRIEF).first()
    membership = membership_of(group, request.user) if group is not None else None
    if group is None or not may_see(group, request.user, membership=membership):
        raise deny_404(request, action=DEBRIEF_ACTION, target_type=TARGET, target_id=pk)
    return group, membership


def get_led_debrief(request: AuthedRequest, pk: int) -> Group:
    """A debrief, for its active facilitators (the starter): the record, ending it; else an audited 404."""
    group = Group.objects.select_related("thread", "debrief").filter(pk=pk, kind=GroupKind.DEBRIEF).first()
    membership = membership_of(group, request.user) if group is not None else None
    if group is None or membership is None or not membership.is_active or not membership.is_facilitator:
        raise deny_404(request, action=LEAD_ACTION, target_type=TARGET, target_id=pk)
    return group


def get_participated_debrief(request: AuthedRequest, pk: int) -> Group:
    """The after page of a debrief, for the people who took part in it (not its facilitators); else an audited 404."""
    group = Group.objects.select_related("debrief").filter(pk=pk, kind=GroupKind.DEBRIEF).first()
    membership = membership_of(group, request.user) if group is not None else None
    if (
        group is None
        or membership is None
        or membership.is_facilitator
        or membership.state not in (MembershipState.ACTIVE, MembershipState.LEFT)
    ):
        raise deny_404(request, action=AFTER_ACTION, target_type=TARGET, target_id=pk)
    return group
