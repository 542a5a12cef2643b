"""Telling coordinators' open pages about concerns, over the notifications socket (group ``user_group``).

``safety.alert`` shows the "A safety concern needs a coordinator" banner on every open page of an alerted
coordinator; ``safety.handled`` removes it once someone acknowledges (or closes) the concern. Best effort: each page
also reads the open, unacknowledged concerns it was alerted to when it loads (``context_processors``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.urls import reverse
from redis.exceptions import RedisError

from alongside.notifications.services import user_group

log = logging.getLogger("alongside.safety")

Event = tuple[str, dict[str, Any]]


async def _send_all(layer: Any, events: Sequence[Event]) -> None:
    await asyncio.gather(*[layer.group_send(group, event) for group, event in events])


def send(events: Sequence[Event]) -> None:
    layer = get_channel_layer()
    if layer is None or not events:
        return
    try:
        async_to_sync(_send_all)(layer, events)
    except (RedisError, OSError) as exc:  # best effort: pages read the open alerts on load
        log.warning("safety: live events could not be sent (%s)", type(exc).__name__)


def alert_events(user_ids: Sequence[int], concern_id: int) -> list[Event]:
    url = reverse("console:concern", kwargs={"pk": concern_id})
    return [(user_group(uid), {"type": "safety.alert", "concern": concern_id, "url": url}) for uid in user_ids]


def handled_events(user_ids: Sequence[int], concern_id: int) -> list[Event]:
    return [(user_group(uid), {"type": "safety.handled", "concern": concern_id}) for uid in user_ids]
