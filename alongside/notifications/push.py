"""Web Push to a person's subscribed devices: the interface talk now, call-backs and alerts call (docs/push.md).

``push_to_users`` is what other apps call. It never raises and never delays the caller: once the transaction
commits, one task per device sends the message (``tasks.send_push``, ``webpush.deliver``), so a slow or failing
push service never holds up another device. A payload says only what kind of thing happened ("Someone would like
to talk now") and where to look; never a name, a topic or anything anyone wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from alongside.lib.time import now
from alongside.notifications.models import PushSubscription
from alongside.notifications.tasks import send_push
from alongside.notifications.webpush import URGENCIES, Message

logger = logging.getLogger(__name__)

DEFAULT_TTL = 10 * 60  # an alert that something needs someone now is stale after minutes, not hours
MAX_TTL = 24 * 3600
MAX_TITLE = 80
MAX_BODY = 200
MAX_TAG = 64


def push_enabled() -> bool:
    return bool(settings.ALONGSIDE_PUSH_ENABLED)


def public_key() -> str:
    """The browser's ``applicationServerKey`` (base64url), or "" when push is off."""
    keys = settings.VAPID_KEYS
    return keys.public_key if keys is not None else ""


def site_path(url: str) -> str:
    """Where tapping the alert leads: a path on this site only (anything else leads home)."""
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url


def message(*, title: str, body: str, url: str, tag: str, urgency: str = "high", ttl: int = DEFAULT_TTL) -> Message:
    ttl = max(0, min(int(ttl), MAX_TTL))
    return Message(
        title=title.strip()[:MAX_TITLE],
        body=body.strip()[:MAX_BODY],
        url=site_path(url),
        tag=tag.strip()[:MAX_TAG],
        urgency=urgency if urgency in URGENCIES else "normal",
        ttl=ttl,
        expires_at=now().timestamp() + ttl,
    )


def push_to_users(
    user_ids: Iterable[int],
    *,
    title: str,
    body: str,
    url: str,
    tag: str,
    urgency: str = "high",
    ttl: int = DEFAULT_TTL,
) -> None:
    """Push ``title``/``body`` to every device these people subscribed; tapping it opens ``url`` on the site.

    ``tag`` groups pushes about the same thing, so a newer one replaces an older one on the device
    (e.g. ``"talknow-12"``). Nothing in ``title`` or ``body`` may name or describe anyone. ``urgency`` is the
    push services' word ("high" wakes a phone that is saving power: right for someone waiting to talk); ``ttl``
    is how long a push service keeps the message for a device that is offline, in seconds.
    """
    if not push_enabled():
        return
    ids = sorted({int(user_id) for user_id in user_ids})
    if not ids:
        return
    made = message(title=title, body=body, url=url, tag=tag, urgency=urgency, ttl=ttl)
    transaction.on_commit(lambda: _queue(ids, made))


def _queue(user_ids: list[int], made: Message) -> None:
    devices = PushSubscription.objects.filter(user_id__in=user_ids, user__is_active=True).values_list("pk", flat=True)
    for device_id in devices:
        try:
            send_push(device_id, made)
        except Exception:  # the caller's work is done and committed: a queue hiccup must not undo its response
            logger.exception("push device=%s could not be queued", device_id)
