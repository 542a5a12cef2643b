"""Sessions of a connection: proposing a time, agreeing or proposing another, cancelling, marking held, reminders.

Writes are keyword-only, atomic, raise ``ValidationError`` for anything a person can
fix, and leave an audit event with no free text. Times are stored in UTC and shown to
each side in their own time zone, with the other side's time beside it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest

from alongside.accounts.models import User
from alongside.audit.services import record
from alongside.connections.models import Connection
from alongside.connections.services import record_session_held
from alongside.lib.time import describe_time, now, time_zone_of
from alongside.meetings.models import SESSION_MINUTES, Session, SessionStatus
from alongside.meetings.reminders import REMINDERS, Reminder, send_session_reminder
from alongside.notifications.models import Kind
from alongside.notifications.services import notify
from alongside.supporters.models import Format

MAX_DAYS_AHEAD = 366
"""How far ahead a session may be proposed."""


# --- times ------------------------------------------------------------------------


def starts_at_from_local(*, date: dt.date, time: dt.time, time_zone: str) -> dt.datetime:
    """The UTC instant of a wall-clock time in a zone. Times the clocks skip or repeat are refused."""
    zone = zoneinfo.ZoneInfo(time_zone)
    naive = dt.datetime.combine(date, time.replace(second=0, microsecond=0))
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        # Either the clocks skip this time (it doesn't exist) or repeat it (it happens twice).
        raise ValidationError(
            {"time": "The clocks change around that time in your time zone. Please choose another time."}
        )
    try:
        return first.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01 00:00 east of UTC, 9999-12-31 23:59 west of it: no such instant
        raise ValidationError({"date": "Choose a date within the next year."}) from None


# --- reading ------------------------------------------------------------------------


def media_for(connection: Connection) -> list[str]:
    """The media both sides accept: the member's request and the supporter's profile, in the usual order."""
    member_accepts, supporter_offers = set(connection.request.formats), set(connection.supporter.formats)
    return [f for f in Format.values if f in member_accepts and f in supporter_offers]


def sessions_of(connection: Connection) -> QuerySet[Session]:
    """Every session worth showing: superseded proposals are left out."""
    return connection.sessions.exclude(status=SessionStatus.SUPERSEDED).order_by("-starts_at", "-id")


@dataclass(frozen=True)
class SessionView:
    """One session as a participant sees it."""

    session: Session
    when: str
    medium: str
    mine: bool
    can_answer: bool
    can_cancel: bool
    can_mark_held: bool


def view_of(session: Session, user: User, *, at: dt.datetime | None = None) -> SessionView:
    at = at or now()
    connection = session.connection
    peer = connection.peer_of(user)
    active = connection.is_active
    return SessionView(
        session=session,
        when=describe_time(session.starts_at, viewer_zone=time_zone_of(user), peer_zone=time_zone_of(peer)),
        medium=Format(session.medium).label if session.medium in Format.values else session.medium,
        mine=session.proposed_by_id == user.pk,
        can_answer=active
        and session.status == SessionStatus.PROPOSED
        and session.proposed_by_id != user.pk
        and session.starts_at > at,
        can_cancel=active and session.status in (SessionStatus.PROPOSED, SessionStatus.AGREED),
        can_mark_held=session.status == SessionStatus.AGREED and session.starts_at <= at,
    )


# --- writes -------------------------------------------------------------------------


def _check_participant(connection: Connection, actor: User) -> None:
    if actor.pk not in connection.parties():
        raise ValidationError("You are not part of this connection.")


def _check_terms(connection: Connection, *, starts_at: dt.datetime, minutes: int, medium: str) -> None:
    at = now()
    errors: dict[str, str] = {}
    if starts_at <= at:
        errors["date"] = "Choose a time in the future."
    elif starts_at > at + dt.timedelta(days=MAX_DAYS_AHEAD):
        errors["date"] = "Choose a time within the next year."
    if minutes not in SESSION_MINUTES:
        errors["minutes"] = "Choose a length from the list."
    if medium not in media_for(connection):
        errors["medium"] = "Choose a way to meet that you both accept."
    if errors:
        raise ValidationError(errors)


def _lock_connection(connection: Connection, actor: User) -> Connection:
    locked = Connection.objects.select_for_update().select_related("supporter", "request").get(pk=connection.pk)
    _check_participant(locked, actor)
    if not locked.is_active:
        raise ValidationError("This connection has closed.")
    return locked


REVIEW_OVERDUE_MESSAGE = (
    "Your review point is overdue, so no new session can be proposed until you have both answered it. "
    "It takes two minutes, from your connection's page."
)


def _check_review(connection: Connection) -> None:
    """An overdue review point is enforced here: no new proposal (nor counter-proposal) until both have answered."""
    if connection.review_is_overdue():
        raise ValidationError(REVIEW_OVERDUE_MESSAGE)


def _lock_session(session: Session, actor: User) -> tuple[Session, Connection]:
    # The connection first, always, so proposals and answers on one connection queue in the same order.
    connection = _lock_connection(session.connection, actor)
    locked = Session.objects.select_for_update().get(pk=session.pk)
    return locked, connection


@transaction.atomic
def propose(
    *,
    connection: Connection,
    actor: User,
    starts_at: dt.datetime,
    minutes: int,
    medium: str,
    request: HttpRequest | None = None,
) -> Session:
    """Either side proposes a time; the other is told and can agree or propose another."""
    locked = _lock_connection(connection, actor)
    _check_review(locked)
    _check_terms(locked, starts_at=starts_at, minutes=minutes, medium=medium)
    # A proposal whose time passed unanswered is stale: it lapses rather than blocking a new one.
    Session.objects.filter(connection=locked, status=SessionStatus.PROPOSED, starts_at__lte=now()).update(
        status=SessionStatus.CANCELLED, cancelled_at=now()
    )
    if Session.objects.filter(connection=locked, status=SessionStatus.PROPOSED).exists():
        raise ValidationError(
            "There is already a time waiting for an answer. Answer it, or cancel it and propose a new one."
        )
    session = Session.objects.create(
        connection=locked,
        proposed_by=actor,
        starts_at=starts_at,
        minutes=minutes,
        medium=medium,
        proposed_in=time_zone_of(actor),
    )
    record(
        "connections.session.proposed",
        actor=actor,
        target=session,
        request=request,
        details={"minutes": minutes, "medium": medium},
    )
    notify(user_id=locked.peer_id_of(actor.pk), kind=Kind.SESSION_PROPOSED, link=session.get_absolute_url())
    return session


@transaction.atomic
def counter(
    *,
    session: Session,
    actor: User,
    starts_at: dt.datetime,
    minutes: int,
    medium: str,
    request: HttpRequest | None = None,
) -> Session:
    """The side asked proposes another time instead; it supersedes the first."""
    locked, connection = _lock_session(session, actor)
    if locked.status != SessionStatus.PROPOSED:
        raise ValidationError("This proposed time has already been answered or cancelled.")
    if locked.proposed_by_id == actor.pk:
        raise ValidationError("You proposed this time. To change it, cancel it and propose a new one.")
    _check_review(connection)
    _check_terms(connection, starts_at=starts_at, minutes=minutes, medium=medium)
    locked.status = SessionStatus.SUPERSEDED
    locked.save(update_fields=["status"])
    made = Session.objects.create(
        connection=connection,
        proposed_by=actor,
        starts_at=starts_at,
        minutes=minutes,
        medium=medium,
        proposed_in=time_zone_of(actor),
        replaces=locked,
    )
    record(
        "connections.session.countered",
        actor=actor,
        target=made,
        request=request,
        details={"replaces": locked.pk, "minutes": minutes, "medium": medium},
    )
    notify(user_id=connection.peer_id_of(actor.pk), kind=Kind.SESSION_PROPOSED, link=made.get_absolute_url())
    session.refresh_from_db()
    return made


@transaction.atomic
def agree(*, session: Session, actor: User, request: HttpRequest | None = None) -> Session:
    """The side asked agrees to the proposed time."""
    locked, _ = _lock_session(session, actor)
    if locked.status != SessionStatus.PROPOSED:
        raise ValidationError("This proposed time has already been answered or cancelled.")
    if locked.proposed_by_id == actor.pk:
        raise ValidationError("Your peer needs to agree to the time you proposed.")
    if locked.starts_at <= now():
        raise ValidationError("This time has passed. Please propose another.")
    locked.status, locked.agreed_at = SessionStatus.AGREED, now()
    locked.save(update_fields=["status", "agreed_at"])
    record("connections.session.agreed", actor=actor, target=locked, request=request)
    if locked.proposed_by_id is not None:  # None: the proposer has since deleted their account
        notify(user_id=locked.proposed_by_id, kind=Kind.SESSION_AGREED, link=locked.get_absolute_url())
    session.refresh_from_db()
    return locked


@transaction.atomic
def cancel(*, session: Session, actor: User, request: HttpRequest | None = None) -> Session:
    """Either side cancels a proposed or agreed session; the other is told, without a reason."""
    locked, connection = _lock_session(session, actor)
    if locked.status not in (SessionStatus.PROPOSED, SessionStatus.AGREED):
        raise ValidationError("Only a proposed or agreed session can be cancelled.")
    was = locked.status
    locked.status, locked.cancelled_at, locked.cancelled_by = SessionStatus.CANCELLED, now(), actor
    locked.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    record("connections.session.cancelled", actor=actor, target=locked, request=request, details={"was": was})
    notify(user_id=connection.peer_id_of(actor.pk), kind=Kind.SESSION_CANCELLED, link=locked.get_absolute_url())
    session.refresh_from_db()
    return locked


@transaction.atomic
def mark_held(*, session: Session, actor: User, request: HttpRequest | None = None) -> Session:
    """Either side says a past agreed session took place. Counted once, towards the review point."""
    connection = Connection.objects.select_related("supporter").get(pk=session.connection_id)
    _check_participant(connection, actor)
    at = now()
    claimed = Session.objects.filter(pk=session.pk, status=SessionStatus.AGREED, starts_at__lte=at).update(
        status=SessionStatus.HELD, held_at=at
    )
    if not claimed:
        raise ValidationError("Only an agreed session that has started can be marked as held.")
    record_session_held(connection=connection)
    record("connections.session.held", actor=actor, target=session)
    session.refresh_from_db()
    return session


# --- reminders ----------------------------------------------------------------------


def _due(reminder: Reminder, at: dt.datetime) -> QuerySet[Session]:
    """Agreed sessions whose reminder time has come and which were agreed before it.

    The 24-hour reminder is skipped once the session is within the hour (the 1-hour one
    says it then), and neither is sent for a session agreed after its reminder time.
    """
    later = [r.before for r in REMINDERS if r.before < reminder.before]
    not_after = at + max(later) if later else at
    return Session.objects.filter(
        Q(**{f"{reminder.column}__isnull": True}),
        status=SessionStatus.AGREED,
        connection__status="active",
        starts_at__lte=at + reminder.before,
        starts_at__gt=not_after,
        agreed_at__lte=F("starts_at") - reminder.before,
    )


def send_due_reminders(*, at: dt.datetime | None = None) -> int:
    """Claim each due reminder with a conditional UPDATE and tell both sides. Safe to run twice at once.

    Only the worker whose UPDATE changed the row (the column was still empty) notifies;
    the emails go out from the task queue once that claim commits.
    """
    at = at or now()
    sent = 0
    for reminder in REMINDERS:
        for pk in list(_due(reminder, at).values_list("pk", flat=True)):
            with transaction.atomic():
                claimed = Session.objects.filter(
                    Q(**{f"{reminder.column}__isnull": True}), pk=pk, status=SessionStatus.AGREED
                ).update(**{reminder.column: at})
                if not claimed:
                    continue  # another worker won, or it was cancelled in the meantime
                session = Session.objects.select_related("connection__supporter").get(pk=pk)
                for user_id in session.connection.parties():
                    if user_id is None:  # a member who deleted their account
                        continue
                    notify(user_id=user_id, kind=reminder.kind, link=session.get_absolute_url())
                    transaction.on_commit(partial(send_session_reminder, pk, user_id, reminder.key))
                sent += 1
    return sent
