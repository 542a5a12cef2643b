"""Ending calls when access goes: the connection closes, the person signs out, or the account is deactivated.

Each sends an event to the call sockets concerned; a socket in a call hangs it up (so the record ends and the
other side is told), then closes. Events name a session by a hash, never the key (they may pass through Redis).
"""

from __future__ import annotations

import hashlib
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from alongside.connections.models import Connection

CLOSE_SIGNED_OUT = 4401
CLOSE_REFUSED = 4403


def session_tag(session_key: str) -> str:
    return hashlib.sha256(("calls-session:" + session_key).encode()).hexdigest()[:40]


def group_name(thread_id: int) -> str:
    return f"calls.thread.{thread_id}"


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, event)


def _tell_users_sockets(user_id: int, *, session: str, code: int) -> None:
    from alongside.conversations.models import ThreadMember

    event = {"type": "calls.leave", "user_id": user_id, "session": session, "code": code}
    for thread_id in ThreadMember.objects.filter(user_id=user_id).values_list("thread_id", flat=True):
        _send(group_name(thread_id), event)


@receiver(post_save, sender=Connection, dispatch_uid="calls.connection_closed")
def end_calls_when_the_connection_closes(sender: Any, instance: Connection, **kwargs: Any) -> None:
    if instance.is_active:
        return
    from alongside.conversations.models import Thread

    thread_id = Thread.objects.filter(connection=instance).values_list("pk", flat=True).first()
    if thread_id is not None:
        group = group_name(thread_id)
        transaction.on_commit(lambda: _send(group, {"type": "calls.closed", "code": CLOSE_REFUSED}))


@receiver(user_logged_out, dispatch_uid="calls.signed_out")
def end_calls_on_sign_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key and user is not None:
        _tell_users_sockets(user.pk, session=session_tag(session_key), code=CLOSE_SIGNED_OUT)


@receiver(post_save, sender=get_user_model(), dispatch_uid="calls.deactivated")
def end_calls_on_deactivation(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created or instance.is_active:
        return
    user_id = instance.pk
    transaction.on_commit(lambda: _tell_users_sockets(user_id, session="", code=CLOSE_REFUSED))
