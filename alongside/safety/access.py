"""One access helper per object type, the first line of every view. Raising: one helper per place a concern is
raised from; only the supporter of that place may raise from it (the supporter of the thread, connection, call or
contact record); everyone else gets a 404 and an audited denial, and learns nothing of what exists. Members ask for
help through the help-now page instead. Concerns themselves are for coordinators only (the views check the role),
and break-glass for the coordinator handling an open imminent-risk concern."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse

from alongside.audit.access import AuthedRequest, deny_404
from alongside.audit.services import denied
from alongside.calls.access import get_call_party
from alongside.connections.access import get_connection
from alongside.conversations.access import get_thread_for_member
from alongside.conversations.models import Thread, ThreadKind
from alongside.groups.models import Group, Membership, MembershipState, Role
from alongside.roster.access import get_contact_record
from alongside.safety.breakglass import REVEAL_ACTION
from alongside.safety.models import Concern, DebriefRequest, Level, Source
from alongside.talknow.models import TalkNowRequest

RAISE_ACTION = "safety.concern.raise"
VIEW_ACTION = "safety.concern.view"
DEBRIEF_ACTION = "safety.debrief.view"


@dataclass(frozen=True)
class Place:
    """Where a concern is raised from, and what it is about."""

    source: str
    member: Any
    back_url: str
    label: str
    thread_id: int | None = None
    connection_id: int | None = None
    contact_id: int | None = None
    about: tuple[tuple[int, str, Any], ...] = ()
    """A group's active members the concern may be about, as (membership id, display name, person)."""


def _thread_place(request: AuthedRequest, thread: Thread, *, source: str, back_url: str, label: str) -> Place | None:
    """The place for a thread whose supporter is the viewer; None when the viewer is not its supporter."""
    user_id = request.user.pk
    if thread.kind == ThreadKind.TALKNOW:
        req = TalkNowRequest.objects.select_related("member").filter(thread_id=thread.pk).first()
        if req is None or req.supporter_id != user_id:
            return None
        return Place(
            source=source if source == Source.CALL else Source.TALKNOW,
            member=req.member,
            back_url=back_url,
            label=label,
            thread_id=thread.pk,
            contact_id=req.contact_id,
        )
    connection = thread.connection
    if connection is None or connection.supporter.user_id != user_id:
        return None
    return Place(
        source=source,
        member=connection.member,
        back_url=back_url,
        label=label,
        thread_id=thread.pk,
        connection_id=connection.pk,
    )


def thread_place(request: AuthedRequest, pk: int) -> Place:
    """A conversation (a connection's thread or a talk-now conversation), for its supporter."""
    thread = get_thread_for_member(request.user, pk, request=request)
    place = None
    if request.user.is_supporter:
        back = _thread_back_url(thread)
        place = _thread_place(request, thread, source=Source.THREAD, back_url=back, label="this conversation")
    if place is None:
        raise deny_404(request, action=RAISE_ACTION, target_type="conversations.thread", target_id=pk)
    return place


def _thread_back_url(thread: Thread) -> str:
    if thread.kind == ThreadKind.TALKNOW:
        req = TalkNowRequest.objects.filter(thread_id=thread.pk).values_list("pk", flat=True).first()
        if req is not None:
            return reverse("talknow:conversation", kwargs={"pk": req})
    return reverse("conversations:thread", kwargs={"pk": thread.pk})


def connection_place(request: AuthedRequest, pk: int) -> Place:
    """An ongoing connection, for its supporter."""
    connection = get_connection(request, pk)
    if connection.supporter.user_id != request.user.pk or not request.user.is_supporter:
        raise deny_404(request, action=RAISE_ACTION, target_type="connections.connection", target_id=pk)
    return Place(
        source=Source.CONNECTION,
        member=connection.member,
        back_url=reverse("connections:connection_detail", kwargs={"pk": connection.pk}),
        label="this connection",
        connection_id=connection.pk,
    )


def call_place(request: AuthedRequest, thread_id: int) -> Place:
    """A voice call, for the supporter in it."""
    party = get_call_party(request.user, thread_id, request=request)
    place = None
    if request.user.is_supporter:
        place = _thread_place(
            request,
            party.thread,
            source=Source.CALL,
            back_url=reverse("calls:call", kwargs={"thread_id": thread_id}),
            label="this call",
        )
    if place is None:
        raise deny_404(request, action=RAISE_ACTION, target_type="conversations.thread", target_id=thread_id)
    return place


def contact_place(request: AuthedRequest, pk: int) -> Place:
    """A contact record, for the supporter who took the contact. The member is known only for a talk-now contact;
    a phone caller has no account."""
    contact = get_contact_record(request, pk)
    req = TalkNowRequest.objects.select_related("member").filter(contact_id=contact.pk).first()
    return Place(
        source=Source.CONTACT,
        member=req.member if req is not None else None,
        back_url=reverse("roster:contact_record", kwargs={"pk": contact.pk}),
        label="this contact",
        thread_id=req.thread_id if req is not None else None,
        contact_id=contact.pk,
    )


def group_place(request: AuthedRequest, pk: int) -> Place:
    """A group, for its active facilitators (while they hold the supporter or coordinator role): the concern may be
    about one of its active members, chosen from their display names, or about the group in general."""
    user = request.user
    group = Group.objects.filter(pk=pk).first()
    facilitates = (
        group is not None
        and (user.is_supporter or user.is_coordinator)
        and Membership.objects.filter(
            group=group, user_id=user.pk, role=Role.FACILITATOR, state=MembershipState.ACTIVE
        ).exists()
    )
    if group is None or not facilitates:
        raise deny_404(request, action=RAISE_ACTION, target_type="groups.group", target_id=pk)
    members = (
        Membership.objects.filter(group=group, role=Role.MEMBER, state=MembershipState.ACTIVE)
        .select_related("user__profile")
        .order_by("joined_at", "pk")
    )
    return Place(
        source=Source.GROUP,
        member=None,
        back_url=group.get_absolute_url(),
        label="the group",
        thread_id=group.thread_id,
        about=tuple((m.pk, m.user.display_name, m.user) for m in members),
    )


def get_raised_concern(request: HttpRequest, pk: int) -> Concern:
    """A concern, for the person who raised it (its status page): anyone else gets a 404."""
    found = Concern.objects.select_related("handler__profile").filter(pk=pk, raised_by_id=request.user.pk or 0).first()
    if found is None:
        raise deny_404(request, action=VIEW_ACTION, target_type="safety.concern", target_id=pk)
    return found


def get_debrief(request: HttpRequest, pk: int) -> DebriefRequest:
    """A debrief request, for coordinators (the view's role check comes first)."""
    found = DebriefRequest.objects.filter(pk=pk).first()
    if found is None or not getattr(request.user, "is_coordinator", False):
        raise deny_404(request, action=DEBRIEF_ACTION, target_type="safety.debriefrequest", target_id=pk)
    return found


def get_concern(request: HttpRequest, pk: int) -> Concern:
    """A concern, for a coordinator (checked by the view's role decorator first); 404 when there is none."""
    found = Concern.objects.select_related("handler__profile", "raised_by__profile", "member").filter(pk=pk).first()
    if found is None:
        raise deny_404(request, action=VIEW_ACTION, target_type="safety.concern", target_id=pk)
    return found


def may_reveal(concern: Concern, user_id: int | None) -> bool:
    return (
        concern.closed_at is None
        and concern.level == Level.IMMINENT
        and concern.member_id is not None
        and concern.handler_id == user_id
    )


def get_concern_to_reveal(request: HttpRequest, pk: int) -> Concern:
    """The concern, for break-glass: only its handler, only while it is open, imminent and about a member (403)."""
    concern = get_concern(request, pk)
    if not may_reveal(concern, request.user.pk):
        denied(REVEAL_ACTION, request=request, target_type="safety.concern", target_id=pk)
        raise PermissionDenied("Only the coordinator handling an open imminent-risk concern can see who it is about.")
    return concern
