"""The access helper for sessions: the first line of every session view.

Only the two participants of the session's connection see it (its supporter while they are a
supporter); everyone else, coordinators included, gets a 404 and an audited denial.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest

from alongside.audit.access import deny_404
from alongside.meetings.models import Session


def get_session(request: HttpRequest, pk: int, *, role: Literal["participant"] = "participant") -> Session:
    """A session, for the two people of its connection only."""
    found = (
        Session.objects.select_related(
            "connection",
            "connection__request",
            "connection__supporter",
            "connection__supporter__user__profile",
            "connection__member__profile",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None or not found.connection.open_to(request.user):
        raise deny_404(request, action="connections.session.view", target_type="meetings.session", target_id=pk)
    return found
