"""Who may call whom: the two people of an active connection, in that connection's thread; the two members of an
open talk-now thread; and nobody else.

Membership of the thread is checked by the conversations app's one helper,
``get_thread_for_member`` (outsiders: 404, audited there). On top of it, calls are refused,
and the refusal audited, for group threads (no calls yet), for connections that have closed,
for closed talk-now threads, and for anyone in the thread who is not one of its two people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest

from alongside.audit.models import Outcome
from alongside.audit.services import record
from alongside.conversations.access import get_thread_for_member
from alongside.conversations.models import Thread, ThreadKind, ThreadMember

REFUSED_ACTION = "calls.thread.refused"


class CallsRefused(Http404):
    """A member of the thread who may not call in it (a 404 to a view; a 4403 close to a socket)."""


@dataclass(frozen=True)
class CallParty:
    """One side of a possible call: the thread, who this is, and the only person they may call."""

    thread: Thread
    user_id: int
    peer_id: int


def call_party(thread: Thread, user_id: int) -> int | None:
    """The other person ``user_id`` may call in ``thread``, or None when calls are not allowed there."""
    if thread.kind == ThreadKind.TALKNOW:
        return _talknow_peer(thread, user_id)
    connection = thread.connection
    if thread.kind != ThreadKind.CONNECTION or connection is None or not connection.is_active:
        return None
    if thread.closed_at is not None:
        return None
    if not connection.has_party(user_id):
        return None
    return connection.peer_id_of(user_id)


def _talknow_peer(thread: Thread, user_id: int) -> int | None:
    """A talk-now thread has exactly two members, the member and the supporter who accepted, while it is open."""
    if thread.closed_at is not None:
        return None
    members = list(
        ThreadMember.objects.filter(thread_id=thread.pk, left_at__isnull=True).values_list("user_id", flat=True)
    )
    if len(members) != 2 or user_id not in members:
        return None
    return members[0] if members[1] == user_id else members[1]


def get_call_party(user: Any, thread_id: int, *, request: HttpRequest | None = None, via: str = "") -> CallParty:
    """The caller's side of ``thread_id``; raises ``Http404`` for outsiders and ``CallsRefused`` when calls aren't allowed."""
    thread = get_thread_for_member(user, thread_id, request=request, via=via)
    peer_id = call_party(thread, user.pk)
    if peer_id is None:
        record(
            REFUSED_ACTION,
            actor=user,
            target=thread,
            outcome=Outcome.DENIED,
            details={"path": (request.path if request is not None else via)[:200]},
        )
        raise CallsRefused()
    return CallParty(thread=thread, user_id=user.pk, peer_id=peer_id)
