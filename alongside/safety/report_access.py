"""Who may report whom, and who may read a report: one helper per object type, outsiders 404 (audited).

A person can report the other side of a connection or a conversation they are part of: the connection's and the
thread's own access helpers decide that (and audit an outsider). A report itself is its reporter's alone to read
here; coordinators read it in the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alongside.audit.access import AuthedRequest, deny_404
from alongside.connections.access import get_connection
from alongside.conversations.access import get_thread_for_member
from alongside.conversations.models import ThreadMember
from alongside.safety.models import Report


@dataclass(frozen=True)
class Subject:
    """Whom a report would be about, and where they met."""

    about: Any
    connection_id: int | None = None
    thread_id: int | None = None


def subject_of_connection(request: AuthedRequest, pk: int) -> Subject:
    connection = get_connection(request, pk)
    return Subject(about=connection.peer_of(request.user), connection_id=connection.pk)


def subject_of_thread(request: AuthedRequest, pk: int) -> Subject:
    """The other person of a one-to-one thread (a connection's or talk now's); anything else is a 404."""
    thread = get_thread_for_member(request.user, pk, request=request)
    others = list(
        ThreadMember.objects.filter(thread=thread).exclude(user_id=request.user.pk).select_related("user__profile")
    )
    if len(others) != 1:
        raise deny_404(request, action="safety.report.subject", target_type="conversations.thread", target_id=pk)
    return Subject(about=others[0].user, connection_id=thread.connection_id, thread_id=thread.pk)


def get_own_report(request: AuthedRequest, pk: int) -> Report:
    """A report, for the person who made it."""
    found = Report.objects.filter(pk=pk, reporter_id=request.user.pk).first()
    if found is None:
        raise deny_404(request, action="safety.report.view", target_type="safety.report", target_id=pk)
    return found
