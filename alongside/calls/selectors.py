"""Reads for calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from alongside.accounts.models import User
from alongside.calls.access import call_party
from alongside.conversations.models import Thread


@dataclass(frozen=True)
class CallPanel:
    """What the call screen needs: where to connect, whom it would ring, and whether audio is relayed."""

    thread_id: int
    ws_path: str
    peer_name: str
    relay_only: bool


def call_panel(thread: Thread, user: Any) -> CallPanel | None:
    """The call screen for ``user`` in ``thread``; None where calls are not possible (nothing is shown)."""
    if not getattr(user, "is_authenticated", False):
        return None
    peer_id = call_party(thread, user.pk)
    if peer_id is None:
        return None
    peer = User.objects.select_related("profile").get(pk=peer_id)
    return CallPanel(
        thread_id=thread.pk,
        ws_path=f"/ws/calls/{thread.pk}/",
        peer_name=peer.display_name,
        relay_only=settings.ALONGSIDE_RELAY_ONLY,
    )
