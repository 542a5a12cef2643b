"""Closing chat sockets when their session ends or their access goes: sign-out, deactivation, a closed connection."""

from __future__ import annotations

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


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, event)


def _close_users_sockets(user_id: int, *, session: str, code: int) -> None:
    """Tell every thread the person is in to close their sockets (of one session, or all when ``session`` is '')."""
    from alongside.conversations.models import ThreadMember
    from alongside.conversations.writer import thread_group

    event = {"type": "chat.close", "user_id": user_id, "session": session, "code": code}
    for thread_id in ThreadMember.objects.filter(user_id=user_id).values_list("thread_id", flat=True):
        _send(thread_group(thread_id), event)


@receiver(user_logged_out)
def close_sockets_on_sign_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    from alongside.conversations.consumers import CLOSE_UNAUTHENTICATED, session_tag

    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key and user is not None:
        _close_users_sockets(user.pk, session=session_tag(session_key), code=CLOSE_UNAUTHENTICATED)


@receiver(post_save, sender=get_user_model())
def close_sockets_on_deactivation(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created or instance.is_active:
        return
    from alongside.conversations.consumers import CLOSE_FORBIDDEN

    user_id = instance.pk
    transaction.on_commit(lambda: _close_users_sockets(user_id, session="", code=CLOSE_FORBIDDEN))


@receiver(post_save, sender=Connection)
def close_sockets_when_the_connection_closes(sender: Any, instance: Connection, **kwargs: Any) -> None:
    if instance.is_active:
        return
    from alongside.conversations.models import Thread
    from alongside.conversations.writer import thread_group

    thread_id = Thread.objects.filter(connection=instance).values_list("pk", flat=True).first()
    if thread_id is not None:
        group = thread_group(thread_id)
        transaction.on_commit(lambda: _send(group, {"type": "chat.closed"}))
