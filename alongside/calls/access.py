"""Who may call whom: the two people of an active connection, in that connection's thread, and nobody else.

Membership of the thread is checked by the conversations app's one helper,
``get_thread_for_member`` (outsiders: 404, audited there). On top of it, calls are refused,
and the refusal audited, for threads that are not a connection's (talk-now and groups have
no calls yet), for connections that have closed, and for anyone in the thread who is not
one of the connection's two people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest

from alongside.audit.models import Outcome
from alongside.audit.services import record
from alongside.conversations.access import get_thread_for_member
from alongside.conversations.models import Thread, ThreadKind

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
    connection = thread.connection
    if thread.kind != ThreadKind.CONNECTION or connection is None or not connection.is_active:
        return None
    if thread.closed_at is not None:
        return None
    if not connection.has_party(user_id):
        return None
    return connection.peer_id_of(user_id)


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
