"""Telling open pages about talk-now changes, over the channel layer. Best effort: every page also reads the state
when it loads, and the waiting page re-reads it at every heartbeat.

- A supporter's every page holds the notifications socket (``notifications.consumers``, group ``user_group``):
  ``talknow.offer`` shows the "Someone would like to talk now" banner, ``talknow.withdrawn`` removes it.
- The request's own socket (``talknow.consumers``, group ``request_group``) is told ``talknow.status``: it reads
  the request again and sends the page where things stand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse

from alongside.lib.sockets import send_events
from alongside.notifications.services import user_group


def request_group(request_id: int) -> str:
    return f"talknow.request.{request_id}"


def send(events: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Send every (group, event) at once (``lib.sockets.send_events``: one hop, best effort)."""
    send_events(events)


def offer_events(offers: Sequence[tuple[int, int, int]]) -> list[tuple[str, dict[str, Any]]]:
    """(supporter id, offer id, request id) -> the banner event for each supporter's open pages."""
    return [
        (
            user_group(supporter_id),
            {
                "type": "talknow.offer",
                "offer": offer_id,
                "request": request_id,
                "accept": reverse("talknow:accept", kwargs={"pk": offer_id}),
            },
        )
        for supporter_id, offer_id, request_id in offers
    ]


def withdrawn_events(supporter_ids: Sequence[int], request_id: int) -> list[tuple[str, dict[str, Any]]]:
    return [(user_group(uid), {"type": "talknow.withdrawn", "request": request_id}) for uid in supporter_ids]


def status_event(request_id: int) -> tuple[str, dict[str, Any]]:
    return (request_group(request_id), {"type": "talknow.status"})
