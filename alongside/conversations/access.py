"""The one access check for threads, used by the page views and the websocket consumer alike.

Only the thread's current members get in (a connection's supporter while they are a supporter).
Everyone else gets a 404 (or, on a websocket, a closed socket) and an audited denial: they learn
nothing about which threads exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest

from alongside.audit.models import Outcome
from alongside.audit.services import denied, record
from alongside.conversations.models import Thread, ThreadMember

DENIED_ACTION = "conversations.thread.view"

KindCheck = Callable[[Thread, Any], bool]
_kind_checks: dict[str, KindCheck] = {}


def register_kind_check(kind: str, check: KindCheck) -> None:
    """An app above that owns a kind of thread adds its own rule on top of membership (talk now: the supporter who
    accepted keeps the thread only while they are a supporter), without this app importing it."""
    _kind_checks[kind] = check


SendCheck = Callable[[set[tuple[int, int]]], dict[tuple[int, int], str]]
_send_checks: dict[str, SendCheck] = {}


def register_send_check(kind: str, check: SendCheck) -> None:
    """An app above that owns a kind of thread may refuse some members' messages for a while (groups: a muted member,
    a paused thread). ``check`` gets the batch's (thread id, sender id) pairs of that kind and returns the refused
    ones with the error code the sender is told (``muted``, ``paused``); it runs inside the writer's transaction."""
    _send_checks[kind] = check


HeaderProvider = Callable[[Thread, Any], dict[str, Any] | None]
_header_providers: dict[str, HeaderProvider] = {}


def register_thread_header(kind: str, provider: HeaderProvider) -> None:
    """An app above that owns a kind of thread may give its thread page a header of its own (a group: its name,
    links to the group page and its agreement, a pause banner) instead of the peer's name. ``provider(thread,
    viewer)`` returns a dict for the template (``title``, ``links`` as (url, text) pairs, ``note``, ``banner``,
    ``gone_text``, ``no_call``) or None."""
    _header_providers[kind] = provider


def thread_header(thread: Thread, user: Any) -> dict[str, Any] | None:
    provider = _header_providers.get(thread.kind)
    return provider(thread, user) if provider is not None else None


def send_refusals(pairs_by_kind: dict[str, set[tuple[int, int]]]) -> dict[tuple[int, int], str]:
    """The refused (thread id, sender id) pairs of a batch, by the registered checks of their threads' kinds."""
    refused: dict[tuple[int, int], str] = {}
    for kind, pairs in pairs_by_kind.items():
        check = _send_checks.get(kind)
        if check is not None and pairs:
            refused.update(check(pairs))
    return refused


def get_thread_for_member(user: Any, thread_id: int, *, request: HttpRequest | None = None, via: str = "") -> Thread:
    """The thread, for its members only; raises ``Http404`` (audited) for anyone else.

    Pass the view's ``request`` so the denial records its path; a consumer passes ``via``
    (the websocket path) instead.
    """
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    thread = None
    if user_id is not None and getattr(user, "is_active", False):
        thread = (
            Thread.objects.select_related("connection__supporter")
            .filter(pk=thread_id, members__user_id=user_id, members__left_at__isnull=True)
            .first()
        )
    if (
        thread is not None
        and thread.connection is not None
        and thread.connection.has_party(user_id)
        and not thread.connection.open_to(user)
    ):
        thread = None
    if thread is not None and (check := _kind_checks.get(thread.kind)) is not None and not check(thread, user):
        thread = None
    if thread is None:
        if request is not None:
            denied(DENIED_ACTION, request=request, target_type="conversations.thread", target_id=thread_id)
        else:
            record(
                DENIED_ACTION,
                actor=user if user_id is not None else None,
                target_type="conversations.thread",
                target_id=thread_id,
                outcome=Outcome.DENIED,
                details={"path": via[:200], "method": "WEBSOCKET"},
            )
        raise Http404()
    return thread


def thread_accepts_messages(thread: Thread) -> bool:
    """An open thread takes new messages; a closed one (or one whose connection closed) can only be read."""
    if thread.closed_at is not None:
        return False
    connection = thread.connection
    return connection is None or connection.is_active


def is_member(thread_id: int, user_id: int) -> bool:
    return ThreadMember.objects.filter(thread_id=thread_id, user_id=user_id, left_at__isnull=True).exists()
