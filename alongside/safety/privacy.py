"""A person's data rights: everything the service holds about them (export), and deleting their account.

Both live in the safety app because they read and change every app below it (connections, conversations,
meetings, talk now, groups, the phone line, the roster, concerns). ``export_data`` is the one assembler: the JSON download
and the readable page are two renderings of it.

The export holds the person's own data and nothing about anyone else: peers appear by display name only, and
only the person's own messages are included (never the peer's words). Concerns raised about them list the date,
the level and whether it was closed and how, but not who raised it nor the note: those are the supporter's
account of a risk, kept for the coordinators handling it (docs/safety.md says why).

``delete_account`` is immediate and keeps what others rely on without naming the person: see its docstring.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session as StoredSession
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from alongside.accounts.models import FORMER_MEMBER, User
from alongside.audit.selectors import access_log
from alongside.audit.services import record
from alongside.calls.models import Call
from alongside.connections.models import Connection, ReviewAnswer, SupportRequest
from alongside.connections.services import close_for_deleted_account
from alongside.conversations.models import Message
from alongside.groups.models import GroupKind, Membership
from alongside.groups.services import release_for_deleted_account
from alongside.lib.time import now
from alongside.meetings.models import CalendarFeed
from alongside.meetings.models import Session as Meeting
from alongside.notifications.models import Notification
from alongside.notifications.selectors import devices_of
from alongside.phoneline.models import OPEN_CALLBACK, Callback
from alongside.phoneline.selectors import own_number
from alongside.phoneline.services import cancel_callback, release_callbacks
from alongside.roster.models import ContactRecord, ShiftPlace
from alongside.safety.models import Concern
from alongside.supporters.models import Application, TrainingRecord
from alongside.talknow import services as talknow
from alongside.talknow.models import OPEN_STATES, State, TalkNowRequest

ROLES = ("supporter", "coordinator", "debrief_lead")


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _peer_name(user: User | None) -> str:
    return user.display_name if user is not None else FORMER_MEMBER


# --- export ---------------------------------------------------------------------------------------------------------


def export_data(*, user: User) -> dict[str, Any]:
    """Everything the service holds about ``user``, for their own download. Nothing about anyone else."""
    uid = user.pk
    profile = getattr(user, "profile", None)
    data: dict[str, Any] = {
        "about": "Everything Alongside holds about you, as of the time below. Peers appear by display name only.",
        "exported_at": now().isoformat(),
        "account": {
            "email": user.email,
            "joined": user.date_joined.isoformat(),
            "roles": [r for r in ROLES if getattr(user, f"is_{r}")],
        },
        "profile": None,
        "own_phone_number": own_number(uid) or None,
    }
    if profile is not None:
        data["profile"] = {
            "display_name": profile.display_name,
            "real_name": profile.real_name,
            "career_stage": profile.get_career_stage_display(),
            "international_graduate": profile.international_graduate,
            "specialty": str(profile.specialty) if profile.specialty else None,
            "workplaces": [str(w) for w in profile.workplaces.all()],
            "languages": [str(lang) for lang in profile.languages.all()],
            "time_zone": profile.time_zone,
        }
    data["support_requests"] = [
        {
            "asked": _iso(r.created_at),
            "status": r.get_status_display(),
            "topics": [t.name for t in r.topics.all()],
            "formats": list(r.formats or []),
            "note": r.note,
            "closed": _iso(r.closed_at),
        }
        for r in SupportRequest.objects.filter(member_id=uid).prefetch_related("topics").order_by("created_at")
    ]
    connections = list(
        Connection.objects.filter(Q(member_id=uid) | Q(supporter__user_id=uid))
        .select_related("member__profile", "supporter__user__profile")
        .order_by("started_at")
    )
    data["connections"] = [
        {
            "you_were": "member" if c.member_id == uid else "supporter",
            "peer": _peer_name(c.supporter.user if c.member_id == uid else c.member),
            "started": _iso(c.started_at),
            "ended": _iso(c.ended_at),
            "status": c.get_status_display(),
            "how_it_ended": c.get_end_kind_display() if c.end_kind else None,
            "sessions_held": c.sessions_held,
        }
        for c in connections
    ]
    data["sessions"] = [
        {
            "starts": _iso(s.starts_at),
            "minutes": s.minutes,
            "medium": s.medium,
            "status": s.get_status_display(),
            "proposed_by": "you" if s.proposed_by_id == uid else "your peer",
        }
        for s in Meeting.objects.filter(connection__in=[c.pk for c in connections]).order_by("starts_at")
    ]
    data["reviews_given"] = [
        {"review_point": a.review_number, "as": a.get_role_display(), "choice": a.get_choice_display()}
        for a in ReviewAnswer.objects.filter(connection__in=[c.pk for c in connections])
        .select_related("connection")
        .order_by("answered_at")
        if (a.role == "member") == (a.connection.member_id == uid)
    ]
    data["feedback_given"] = (
        "Feedback at the end of a connection is anonymous: it is stored with no link to you, so it can't be "
        "found again to include here."
    )
    data["messages_you_wrote"] = [
        {
            "conversation": m.thread_id,
            "number": m.seq,
            "at": _iso(m.created_at),
            "text": m.body if m.deleted_at is None else None,
            "deleted_or_erased": _iso(m.deleted_at),
        }
        for m in Message.objects.filter(sender_id=uid).order_by("thread_id", "seq")
    ]
    data["groups"], data["debriefs_you_took_part_in"] = _groups_of(uid)
    data["talk_now_requests"] = [
        {
            "asked": _iso(r.created_at),
            "medium": r.get_medium_display(),
            "topics": [t.name for t in r.topics.all()],
            "what_happened": r.get_state_display(),
            "connected": _iso(r.connected_at),
            "ended": _iso(r.ended_at or r.cancelled_at or r.lapsed_at),
        }
        for r in TalkNowRequest.objects.filter(member_id=uid).prefetch_related("topics").order_by("created_at")
    ]
    data["voice_calls"] = [
        {"started": _iso(c.started_at), "you_called": c.caller_id == uid, "outcome": c.get_outcome_display() or None}
        for c in Call.objects.filter(Q(caller_id=uid) | Q(callee_id=uid)).order_by("started_at")
    ]
    data["call_backs_you_asked_for"] = [
        {
            "asked": _iso(c.created_at),
            "name_given": c.name or None,
            "number": c.phone or None,  # emptied when the call-back ends
            "window": [_iso(c.window_starts_at), _iso(c.window_ends_at)],
            "status": c.get_status_display(),
            "outcome": c.get_outcome_display() or None,
        }
        for c in Callback.objects.filter(requester_id=uid).order_by("created_at")
    ]
    data["notifications"] = [
        {"at": _iso(n.created_at), "what": n.get_kind_display(), "read": _iso(n.read_at)}
        for n in Notification.objects.filter(user_id=uid).order_by("created_at")
    ]
    # The devices that get their alerts: what the person sees on the page, not the push service's address.
    data["alert_devices"] = [
        {
            "device": d.label,
            "added": d.created_at.isoformat(),
            "last_alert_delivered": d.last_success_at.isoformat() if d.last_success_at else None,
        }
        for d in devices_of(uid)
    ]
    feed = CalendarFeed.objects.filter(user_id=uid).first()
    # Whether a private calendar feed exists, never its address: the address is the credential.
    data["calendar_feed"] = (
        {"made": _iso(feed.created_at), "last_read": _iso(feed.last_read_at)} if feed is not None else None
    )
    data["concerns_about_you"] = [
        {
            "raised": _iso(c.raised_at),
            "level": c.get_level_display(),
            "closed": _iso(c.closed_at),
            "outcome": c.get_outcome_display() or None,
        }
        for c in Concern.objects.filter(member_id=uid).order_by("raised_at")
    ]
    data["access_log"] = [
        {"at": _iso(e.at), "what": e.action, "outcome": e.outcome} for e in access_log(uid).order_by("at", "id")[:1000]
    ]
    if user.is_supporter or ShiftPlace.objects.filter(supporter_id=uid).exists():
        data["shifts"] = [
            {"starts": _iso(p.shift.starts_at), "ends": _iso(p.shift.ends_at), "place": p.get_role_display()}
            for p in ShiftPlace.objects.filter(supporter_id=uid).select_related("shift").order_by("shift__starts_at")
        ]
        # The records they filed hold no names; the member's career stage is left out too (it is about them).
        data["contact_records_you_filed"] = [
            {
                "format": r.get_format_display(),
                "started": _iso(r.started_at),
                "minutes": r.minutes,
                "topics": [t.name for t in r.topics.all()],
                "referral_given": r.referral_given,
                "risk_raised": r.risk_raised,
                "hard_for_you": r.hard_for_me,
                "filed": _iso(r.filed_at),
            }
            for r in ContactRecord.objects.filter(supporter_id=uid).prefetch_related("topics").order_by("started_at")
        ]
    # Applications to be a supporter: what they gave and where it stands. Referees' answers are theirs, given in
    # confidence to the coordinators: the export says whether each answered, not what they said.
    data["applications_to_support"] = [
        {
            "applied": _iso(a.submitted_at),
            "status": a.get_status_display(),
            "full_name": a.full_name,
            "registration_number": a.registration_number,
            "registration_checked": _iso(a.registration_checked_at),
            "career_stage": a.career_stage,
            "why": a.motivation,
            "hours_per_month": a.hours_per_month,
            "referees": [
                {"name": r.name, "relationship": r.relationship, "answered": _iso(r.submitted_at)}
                for r in a.referees.all()
            ],
        }
        for a in Application.objects.filter(user_id=uid).prefetch_related("referees").order_by("submitted_at")
    ]
    data["training"] = [
        {
            "module": t.module.title,
            "completed": _iso(t.completed_on),
            "confirmed": _iso(t.confirmed_at),
            "expires": _iso(t.expires_on),
        }
        for t in TrainingRecord.objects.filter(user_id=uid).select_related("module").order_by("completed_on")
    ]
    return data


def _groups_of(uid: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The person's groups (name, kind, role, state, when they asked, joined and left) and, apart, the debriefs they
    took part in: when, hot or cold, and whether the offer of support afterwards went out. A debrief's name and
    record are left out: they are about an incident and a team, not about the person. No one else is named; the
    messages they wrote in a group are with their other messages."""
    groups: list[dict[str, Any]] = []
    debriefs: list[dict[str, Any]] = []
    rows = Membership.objects.filter(user_id=uid).select_related("group__debrief").order_by("pk")
    for m in rows:
        dates = {"asked": _iso(m.requested_at), "joined": _iso(m.joined_at), "left": _iso(m.left_at)}
        if m.group.kind == GroupKind.DEBRIEF:
            debrief = getattr(m.group, "debrief", None)
            debriefs.append(
                {
                    "when": _iso(m.group.starts_at or m.group.created_at),
                    "mode": debrief.get_mode_display() if debrief is not None else None,
                    "you_were": m.get_role_display().lower(),
                    "joined": dates["joined"],
                    "offer_of_support_sent": _iso(m.outreach_sent_at),
                }
            )
            continue
        groups.append(
            {
                "group": m.group.name,
                "kind": m.group.get_kind_display(),
                "you_were": m.get_role_display().lower(),
                "state": m.get_state_display(),
                "agreement_accepted": _iso(m.agreement_accepted_at),
                **dates,
            }
        )
    return groups, debriefs


def record_export(*, user: User, form: str, request: HttpRequest | None = None) -> None:
    record("privacy.export", actor=user, subject=user, target=user, request=request, details={"form": form})


# --- deleting an account --------------------------------------------------------------------------------------------


def _session_keys_of(user_id: int) -> list[str]:
    """The keys of every stored session signed in as ``user_id``. Sessions carry no user column, so each live one
    is decoded: deleting an account is rare, and it must reach every device."""
    wanted = str(user_id)
    keys = []
    for stored in StoredSession.objects.filter(expire_date__gt=now()).iterator(chunk_size=500):
        if str(stored.get_decoded().get(SESSION_KEY, "")) == wanted:
            keys.append(stored.session_key)
    return keys


def end_sessions(keys: list[str]) -> None:
    """Delete these sessions through the configured store (the database row, and its cached copy with
    ``cached_db``)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()


@transaction.atomic
def delete_account(*, user: User, request: HttpRequest | None = None) -> int:
    """Delete the person's account, at once and for good.

        In one transaction: the words of every message they wrote are erased (each row and its seq stay, with no
        sender, so the other person sees "a former member" and replay has no gaps); their open connections close (the
        other person is told only that the connection has closed) and every connection row stays for the other person;
        their live support request is withdrawn and the notes they wrote on their requests erased; their talk-now
        request is cancelled or ended; their open call-backs are cancelled (the number goes); as a supporter, the
        call-backs they had taken wait again for someone else. Then the account goes, and with it their profile, alert
        devices, own phone number, notifications, calendar feed, thread memberships, blocks, calls, places on shifts and,
        for a supporter, their supporter profile (with its offers and suggestions, and the connections they supported,
        which are closed first), and their group memberships (a running group they were the last facilitator of is paused
    and the coordinators told it needs one). Audit events keep only ids; contact records and concerns stay without a
    link to them.

        After the commit, every session of theirs (every device) ends and every socket of theirs closes. Returns how
        many messages' words were erased.
    """
    uid = user.pk
    at = now()
    record("accounts.deleted", actor=user, subject=user, target_type="accounts.user", target_id=uid, request=request)
    for req in TalkNowRequest.objects.filter(Q(member_id=uid) | Q(supporter_id=uid), state__in=OPEN_STATES):
        if req.state == State.WAITING:
            talknow.cancel(req=req, member=user, at=at)
        else:
            talknow.end(req=req, user=user, at=at)
    for callback in Callback.objects.filter(requester_id=uid, status__in=OPEN_CALLBACK):
        cancel_callback(callback=callback, request=request)
    release_callbacks(supporter_id=uid)
    close_for_deleted_account(user=user, request=request)
    release_for_deleted_account(user=user, request=request)
    SupportRequest.objects.filter(member_id=uid).exclude(note="").update(note="")
    erased = Message.objects.filter(sender_id=uid, deleted_at__isnull=True).update(body="", deleted_at=at)
    Message.objects.filter(sender_id=uid).update(body="", sender=None)
    sessions = _session_keys_of(uid)
    record(
        "privacy.account.erased",
        subject=uid,
        target_type="accounts.user",
        target_id=uid,
        details={"messages": erased, "sessions": len(sessions)},
    )
    user.delete()
    # Its sockets close from conversations.signals (the one place that closes sockets), after the commit too.
    transaction.on_commit(lambda: end_sessions(sessions))
    return erased
