"""Telling coordinators' open pages about concerns, over the notifications socket (group ``user_group``).

``safety.alert`` shows the "A safety concern needs a coordinator" banner on every open page of an alerted
coordinator; ``safety.handled`` removes it once someone acknowledges (or closes) the concern. Best effort: each page
also reads the open, unacknowledged concerns it was alerted to when it loads (``context_processors``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse

from alongside.lib.sockets import send_events
from alongside.notifications.services import user_group

Event = tuple[str, dict[str, Any]]


def send(events: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Send every (group, event) at once (``lib.sockets.send_events``: one hop, best effort)."""
    send_events(events)


def alert_events(user_ids: Sequence[int], concern_id: int) -> list[Event]:
    url = reverse("console:concern", kwargs={"pk": concern_id})
    return [(user_group(uid), {"type": "safety.alert", "concern": concern_id, "url": url}) for uid in user_ids]


def handled_events(user_ids: Sequence[int], concern_id: int) -> list[Event]:
    return [(user_group(uid), {"type": "safety.handled", "concern": concern_id}) for uid in user_ids]
