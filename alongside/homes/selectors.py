"""Reads for each role's home page at ``/``: a member's, a supporter's and a coordinator's.

Built on the apps' own selectors; nothing here counts or queries for itself beyond
putting their answers together. A person with several roles picks which home to see
(``?as=supporter``), and the choice is remembered in their session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.contrib.sessions.backends.base import SessionBase
from django.urls import reverse

from alongside.accounts.models import User
from alongside.connections import selectors as connections
from alongside.connections import waitlist as waitlist_reads
from alongside.connections.models import Connection, SupportRequest
from alongside.conversations.selectors import UnreadThread, unread_threads
from alongside.lib.time import now
from alongside.meetings import selectors as meetings
from alongside.meetings.models import Session, SessionStatus
from alongside.roster import selectors as roster
from alongside.roster.models import Rota, ShiftPlace
from alongside.safety import selectors as safety
from alongside.safety.models import DebriefRequest
from alongside.service.selectors import formats_offered
from alongside.supporters.models import Format
from alongside.talknow import selectors as talknow

Role = Literal["member", "supporter", "coordinator"]
ROLE_LABELS: dict[str, str] = {"coordinator": "Coordinator", "supporter": "Supporter", "member": "Member"}
SESSION_KEY = "home_as"


def roles_of(user: User) -> list[Role]:
    """The homes a person has, the most specific first (that is their home unless they choose another).

    Everyone with an account is a doctor or student who may ask for support, so everyone has a member's home.
    """
    roles: list[Role] = []
    if user.is_coordinator:
        roles.append("coordinator")
    if user.is_supporter:
        roles.append("supporter")
    roles.append("member")
    return roles


def choose_role(user: User, session: SessionBase, wanted: str | None) -> Role:
    """``wanted`` when the person has that role (and remember it), else the remembered one, else their first."""
    roles = roles_of(user)
    for role in roles:
        if role == wanted:
            session[SESSION_KEY] = role
            return role
    remembered = session.get(SESSION_KEY)
    for role in roles:
        if role == remembered:
            return role
    return roles[0]


# --- pieces shared by the homes -------------------------------------------------------


@dataclass(frozen=True)
class ConnectionItem:
    connection: Connection
    partner: str
    as_member: bool
    review_due: bool


@dataclass(frozen=True)
class SessionItem:
    """A coming session: with whom, how, and whether it can be joined now (and where)."""

    session: Session
    partner: str
    medium: str
    waiting_for_me: bool
    joinable: bool
    join_url: str

    @property
    def is_agreed(self) -> bool:
        return self.session.status == SessionStatus.AGREED


def _join_url(session: Session) -> str:
    """Where a session happens: the connection's thread for chat, its call panel for in-app voice, and the phone
    line's page for a session by phone (where the supporter calls through the service).

    Video sessions have no place in the app to join (yet), so they have none.
    """
    if session.medium == Format.PHONE:
        return reverse("phoneline:session_call", args=[session.pk])
    thread = reverse("conversations:connection_thread", args=[session.connection_id])
    if session.medium == Format.CHAT:
        return thread
    if session.medium == Format.VOICE:
        return f"{thread}#call"
    return ""


def _sessions(user: User, *, as_member: bool, at: dt.datetime) -> list[SessionItem]:
    items = []
    for session in meetings.upcoming_sessions_for(user, as_member=as_member, at=at):
        connection = session.connection
        partner = connection.peer_of(user)
        join_url = _join_url(session)
        items.append(
            SessionItem(
                session=session,
                partner=partner.display_name,
                medium=Format(session.medium).label if session.medium in Format.values else session.medium,
                waiting_for_me=session.status == SessionStatus.PROPOSED and session.proposed_by_id != user.pk,
                joinable=bool(join_url) and meetings.can_join(session, at=at),
                join_url=join_url,
            )
        )
    return items


def _connections(user: User, *, as_member: bool, at: dt.datetime) -> list[ConnectionItem]:
    items = []
    for connection in connections.active_connections_for(user):
        mine_as_member = connection.member_id == user.pk
        if mine_as_member != as_member:
            continue
        partner = connection.supporter.user if mine_as_member else connection.peer_of(user)
        items.append(ConnectionItem(connection, partner.display_name, mine_as_member, connection.review_is_due(at)))
    return items


# --- the three homes ------------------------------------------------------------------


@dataclass(frozen=True)
class MemberHome:
    connections: list[ConnectionItem]
    sessions: list[SessionItem]
    live_request: SupportRequest | None
    unread: list[UnreadThread]
    feedback_due: list[Connection]
    can_ask: bool

    @property
    def session_now(self) -> SessionItem | None:
        return next((s for s in self.sessions if s.joinable), None)


def member_home(user: User, *, at: dt.datetime | None = None) -> MemberHome:
    at = at or now()
    live_request = connections.live_request_for(user)
    peers = _connections(user, as_member=True, at=at)
    return MemberHome(
        connections=peers,
        sessions=_sessions(user, as_member=True, at=at),
        live_request=live_request,
        unread=unread_threads(user.pk),
        feedback_due=list(connections.feedback_due_for(user)[:3]),
        # With a peer already, a different one is asked for from the connection's page, not here.
        can_ask=not peers and live_request is None and any(f.field == "offers_ongoing" for f in formats_offered()),
    )


@dataclass(frozen=True)
class SupporterHome:
    offers: connections.OffersWaiting
    connections: list[ConnectionItem]
    sessions: list[SessionItem]
    unread: list[UnreadThread]
    shift: roster.ShiftStatus
    contacts_to_file: int
    debrief: DebriefRequest | None = None

    @property
    def session_now(self) -> SessionItem | None:
        return next((s for s in self.sessions if s.joinable), None)


def supporter_home(user: User, *, at: dt.datetime | None = None) -> SupporterHome:
    at = at or now()
    return SupporterHome(
        offers=connections.offers_waiting_for(user),
        connections=_connections(user, as_member=False, at=at),
        sessions=_sessions(user, as_member=False, at=at),
        unread=unread_threads(user.pk),
        shift=roster.shift_status(user.pk, at=at),
        contacts_to_file=roster.contacts_to_file_count(user.pk),
        debrief=safety.open_debrief_of(user.pk),
    )


@dataclass(frozen=True)
class CoordinatorHome:
    waitlist: waitlist_reads.WaitlistSummary
    lapsing: connections.OffersWaiting
    lapsing_within_hours: int
    nobody_can_take: list[waitlist_reads.WaitlistRow]
    checked: int
    roster_gaps: list[roster.Gap]
    on_call_gaps: list[roster.Gap]
    roster_gap_hours: int
    talknow_waiting: int
    my_on_call: list[ShiftPlace]
    concerns: safety.OpenSummary

    @property
    def all_clear(self) -> bool:
        return not (
            self.concerns.count
            or self.waitlist.with_coordinators
            or self.lapsing.count
            or self.nobody_can_take
            or self.roster_gaps
            or self.on_call_gaps
            or self.talknow_waiting
        )


def coordinator_home(user: User, *, at: dt.datetime | None = None) -> CoordinatorHome:
    at = at or now()
    return CoordinatorHome(
        waitlist=waitlist_reads.waitlist_summary(),
        lapsing=connections.offers_lapsing(at=at),
        lapsing_within_hours=int(connections.LAPSING_WITHIN.total_seconds() // 3600),
        nobody_can_take=waitlist_reads.requests_nobody_can_take(at=at),
        checked=waitlist_reads.STUCK_CHECKED,
        roster_gaps=roster.gaps(at=at),
        on_call_gaps=roster.gaps(at=at, rota=Rota.ON_CALL),
        roster_gap_hours=roster.GAP_ALERT_HOURS,
        talknow_waiting=talknow.waiting_requests().count(),
        my_on_call=roster.upcoming_on_call(user.pk, at=at),
        concerns=safety.open_summary(),
    )


BUILDERS = {"member": member_home, "supporter": supporter_home, "coordinator": coordinator_home}
