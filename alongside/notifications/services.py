"""Writes for notifications, outgoing email and the devices people get alerts on. Sending happens after the
transaction commits."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse

from alongside.audit.services import record
from alongside.lib.time import now
from alongside.notifications.devices import device_label, endpoint_digest
from alongside.notifications.models import Notification, PushSubscription
from alongside.notifications.push import push_to_users
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


MAX_DEVICES = 10


@transaction.atomic
def save_device(*, user: Any, endpoint: str, p256dh: str, auth: str, user_agent: str) -> PushSubscription:
    """Keep a browser's push subscription for ``user`` (validated by ``forms.DeviceForm``).

    The same browser subscribing again refreshes its keys. A browser another person subscribed on before (a shared
    computer) becomes this person's: alerts go to whoever last asked for them there.
    """
    label = device_label(user_agent)
    device = PushSubscription.objects.select_for_update().filter(endpoint_digest=endpoint_digest(endpoint)).first()
    if device is None:
        if PushSubscription.objects.filter(user=user).count() >= MAX_DEVICES:
            raise ValidationError(
                f"Alerts already go to {MAX_DEVICES} of your devices. Stop one you no longer use, then try again.",
                code="too_many",
            )
        device = PushSubscription.objects.create(
            user=user,
            endpoint=endpoint,
            endpoint_digest=endpoint_digest(endpoint),
            p256dh=p256dh,
            auth=auth,
            label=label,
        )
        record("notifications.device.added", actor=user, target=device)
        return device
    moved = device.user_id != user.pk
    PushSubscription.objects.filter(pk=device.pk).update(
        user=user, p256dh=p256dh, auth=auth, label=label, failure_count=0, next_attempt_at=None
    )
    device.refresh_from_db()
    record("notifications.device.renewed", actor=user, target=device, details={"moved": moved})
    return device


@transaction.atomic
def stop_device(*, user: Any, device: PushSubscription) -> None:
    """The person stops alerts on one of their devices (the access helper has checked it is theirs)."""
    record("notifications.device.stopped", actor=user, target=device)
    device.delete()


def send_test_alert(*, user_id: int) -> int:
    """A test alert to every device of the person; the number of devices it goes to."""
    count = PushSubscription.objects.filter(user_id=user_id).count()
    if count:
        push_to_users(
            [user_id],
            title="Test alert",
            body="Alerts from the peer support service reach this device.",
            url=reverse("notifications:devices"),
            tag="test-alert",
            urgency="normal",
        )
    return count
