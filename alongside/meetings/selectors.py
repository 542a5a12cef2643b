"""Reads of scheduled sessions for the home pages."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from alongside.accounts.models import User
from alongside.connections.models import ConnectionStatus
from alongside.lib.time import now
from alongside.meetings.models import SESSION_MINUTES, Session, SessionStatus

JOIN_EARLY = dt.timedelta(minutes=5)
"""A session can be joined from this long before it starts until it ends."""
UPCOMING_STATUSES = (SessionStatus.AGREED, SessionStatus.PROPOSED)


def upcoming_sessions_for(
    user: User, *, as_member: bool | None = None, at: dt.datetime | None = None, limit: int = 5
) -> list[Session]:
    """Agreed and proposed sessions of the person's active connections that have not ended, soonest first.

    ``as_member`` True: only connections where they are the member; False: where they support; None: both.
    """
    at = at or now()
    longest = dt.timedelta(minutes=max(SESSION_MINUTES))
    side = {
        True: Q(connection__member=user),
        False: Q(connection__supporter__user=user),
        None: Q(connection__member=user) | Q(connection__supporter__user=user),
    }[as_member]
    rows = (
        Session.objects.filter(
            side,
            connection__status=ConnectionStatus.ACTIVE,
            status__in=UPCOMING_STATUSES,
            starts_at__gt=at - longest,
        )
        .select_related("connection__member__profile", "connection__supporter__user__profile")
        .order_by("starts_at", "pk")
    )
    return [s for s in rows[: limit + 10] if s.ends_at > at][:limit]


def can_join(session: Session, *, at: dt.datetime | None = None) -> bool:
    """An agreed session is open to join from a few minutes before it starts until it ends."""
    at = at or now()
    return session.status == SessionStatus.AGREED and session.starts_at - JOIN_EARLY <= at < session.ends_at
