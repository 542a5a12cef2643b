"""Writes for notifications and outgoing email. Both happen after the transaction commits."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.mail import EmailMessage
from django.db import transaction

from alongside.lib.time import now
from alongside.notifications.models import Notification
from alongside.notifications.selectors import unread_count
from alongside.notifications.tasks import send_email


def user_group(user_id: int) -> str:
    return f"notify.user.{user_id}"


def push_count(user_id: int) -> None:
    """Tell the person's open pages their unread count. Best effort: the page also reads it on load."""
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(user_group(user_id), {"type": "notify.count", "unread": unread_count(user_id)})


def notify(*, user_id: int, kind: str, link: str = "") -> Notification:
    note = Notification.objects.create(user_id=user_id, kind=kind, link=link)
    transaction.on_commit(lambda: push_count(user_id))
    return note


@transaction.atomic
def mark_all_read(*, user_id: int) -> int:
    changed = Notification.objects.filter(user_id=user_id, read_at__isnull=True).update(read_at=now())
    transaction.on_commit(lambda: push_count(user_id))
    return changed


def queue_email(message: EmailMessage) -> None:
    """Send ``message`` from the task queue once the current transaction commits."""
    payload: dict[str, Any] = {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "alternatives": [list(a) for a in getattr(message, "alternatives", [])],
    }
    transaction.on_commit(lambda: send_email(payload))
