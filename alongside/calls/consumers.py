"""Call signalling over a websocket of its own, ``ws/calls/<thread_id>/``.

The socket admits only the two people of an active connection's thread (the same
``get_thread_for_member`` check as the chat, plus ``calls.access``). Frames go only between
them: invitations, answers and hang-ups through the thread's channel group (so every open
tab of the other person hears them), and the WebRTC offer, answer and ICE candidates
straight to the one socket on the other end of the call. The server writes the call record
(who, when, how long) and relays SDP without reading or keeping it.

Frames from the browser, each ``{"type": ..., "call": <id>, ...}`` except the first:
``call.invite``, ``call.ringing``, ``call.accept``, ``call.decline``, ``call.offer {sdp}``,
``call.answer {sdp}``, ``call.ice {candidate}``, ``call.hangup {reason?}``. From the server:
the same relayed, plus ``call.config`` (the ICE servers for this person in this call),
``call.busy``, ``call.hangup {reason}`` and ``error``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError
from django.db import OperationalError

from alongside.calls import models as call_models
from alongside.calls import services
from alongside.calls.access import CallParty, CallsRefused, get_call_party
from alongside.calls.ice import ice_config
from alongside.calls.models import Call, CallOutcome
from alongside.lib.consumers import GuardedConsumer, Refused
from alongside.lib.ratelimit import FrameBudget
from alongside.lib.sockets import CloseCode, call_group

logger = logging.getLogger(__name__)

MAX_SDP_BYTES = 20 * 1024
MAX_CANDIDATE_BYTES = 1024
MAX_FRAME_BYTES = MAX_SDP_BYTES + 2048
"""A call frame may carry a whole SDP; anything larger is refused before parsing."""

FROM_BROWSER = {
    "call.invite",
    "call.ringing",
    "call.accept",
    "call.decline",
    "call.offer",
    "call.answer",
    "call.ice",
    "call.hangup",
}
HANGUP_REASONS = {"hangup", "failed"}
MAX_FRAMES = 200
FRAME_WINDOW_SECONDS = 10.0
"""Frames one socket may send in the window: a call's ICE trickle is a few dozen; a flood is refused."""


class FrameError(ValueError):
    """A frame the server refuses; its message is sent back in an error frame."""


def _call_id(content: dict[str, Any]) -> int:
    value = content.get("call")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise FrameError("'call' must be the call's id")
    return value


def _sdp(content: dict[str, Any]) -> str:
    sdp = content.get("sdp")
    if not isinstance(sdp, str) or not sdp.strip():
        raise FrameError("'sdp' must be a session description")
    if len(sdp.encode("utf-8")) > MAX_SDP_BYTES:
        raise FrameError("'sdp' is too large")
    return sdp


def _candidate(content: dict[str, Any]) -> dict[str, Any] | None:
    """An RTCIceCandidateInit, or None for the end of candidates."""
    candidate = content.get("candidate")
    if candidate is None:
        return None
    if not isinstance(candidate, dict):
        raise FrameError("'candidate' must be an ICE candidate or null")
    text = candidate.get("candidate")
    mid = candidate.get("sdpMid")
    index = candidate.get("sdpMLineIndex")
    if not isinstance(text, str) or len(text.encode("utf-8")) > MAX_CANDIDATE_BYTES:
        raise FrameError("'candidate.candidate' must be a short string")
    if mid is not None and (not isinstance(mid, str) or len(mid) > 64):
        raise FrameError("'candidate.sdpMid' must be a short string or null")
    if index is not None and (not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < 64):
        raise FrameError("'candidate.sdpMLineIndex' must be a small number or null")
    return {"candidate": text, "sdpMid": mid, "sdpMLineIndex": index}


class CallConsumer(GuardedConsumer):
    max_frame_bytes = MAX_FRAME_BYTES  # an offer may carry up to 20 kB of SDP

    thread_id: int
    call_id: int | None = None

    def check_access(self, user: Any) -> CallParty:
        try:
            return get_call_party(user, self.thread_id, via=self.scope.get("path", ""))
        except CallsRefused:
            raise Refused(CloseCode.FORBIDDEN) from None

    async def connect(self) -> None:
        self.thread_id = int(self.scope["url_route"]["kwargs"]["thread_id"])
        await super().connect()

    async def opening(self, access: CallParty) -> None:
        self.thread = access.thread
        self.group = call_group(self.thread_id)
        self.peer_channel: str | None = None
        self.incoming: dict[int, str] = {}  # calls ringing on this socket -> the caller's channel
        self.ring_timer: asyncio.Task[None] | None = None
        self.budget = FrameBudget(limit=MAX_FRAMES, seconds=FRAME_WINDOW_SECONDS)
        await self.join(self.group)

    async def before_close(self, code: CloseCode) -> None:
        """Signed out, refused, or the connection closed: the call in progress ends for both sides first."""
        if self.call_id is not None:
            await self._end(reason="hangup", tell_self=True)
        self.incoming.clear()

    async def cleanup(self) -> None:
        if self.call_id is not None:
            # Leaving the page ends the call for both: the other side must not talk into silence.
            await self._end(reason="hangup", tell_self=False)

    # --- frames from the browser ------------------------------------------------------------------------------

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not self.budget.spend():
            await self.send_error("too many frames; slow down")
            return
        kind = content.get("type")
        if kind not in FROM_BROWSER:
            await self.send_error("unknown frame type")
            return
        try:
            handler = getattr(self, "on_" + kind.split(".", 1)[1])
            await handler(content)
        except FrameError as exc:
            await self.send_error(str(exc), frame=kind)

    async def on_invite(self, content: dict[str, Any]) -> None:
        if self.call_id is not None:
            raise FrameError("already in a call")
        try:
            call = await database_sync_to_async(services.start_call)(thread=self.thread, caller=self.user)
        except services.CallBusy:
            await self.send_json({"type": "call.busy"})
            return
        except ValidationError as exc:
            raise FrameError(exc.messages[0]) from None
        self.call_id = call.pk
        self.peer_channel = None
        await self._send_config(call.pk)
        await self._group("invite", call=call.pk)
        self.ring_timer = asyncio.create_task(self._ring_out(call.pk))

    async def on_ringing(self, content: dict[str, Any]) -> None:
        call_id = _call_id(content)
        if call_id not in self.incoming:
            raise FrameError("no such call is ringing here")
        await self._group("ringing", call=call_id)

    async def on_accept(self, content: dict[str, Any]) -> None:
        call_id = _call_id(content)
        if call_id not in self.incoming or self.call_id is not None:
            raise FrameError("no such call is ringing here")
        try:
            await database_sync_to_async(services.answer_call)(call_id=call_id, user=self.user)
        except ValidationError:
            self.incoming.pop(call_id, None)
            await self.send_json({"type": "call.hangup", "call": call_id, "reason": "gone"})
            return
        self.call_id, self.peer_channel = call_id, self.incoming.pop(call_id)
        await self._send_config(call_id)
        await self._group("accept", call=call_id)

    async def on_decline(self, content: dict[str, Any]) -> None:
        call_id = _call_id(content)
        if call_id not in self.incoming:
            raise FrameError("no such call is ringing here")
        self.incoming.pop(call_id)
        try:
            await database_sync_to_async(services.decline_call)(call_id=call_id, user=self.user)
        except ValidationError:
            return
        await self._group("decline", call=call_id)

    async def on_offer(self, content: dict[str, Any]) -> None:
        await self._relay(content, {"sdp": _sdp(content)})

    async def on_answer(self, content: dict[str, Any]) -> None:
        await self._relay(content, {"sdp": _sdp(content)})

    async def on_ice(self, content: dict[str, Any]) -> None:
        await self._relay(content, {"candidate": _candidate(content)})

    async def on_hangup(self, content: dict[str, Any]) -> None:
        call_id = _call_id(content)
        if call_id != self.call_id:
            raise FrameError("not in that call")
        reason = content.get("reason", "hangup")
        if reason not in HANGUP_REASONS:
            raise FrameError("'reason' must be 'hangup' or 'failed'")
        await self._end(reason=reason, tell_self=True)

    # --- events from the other side ---------------------------------------------------------------------------

    async def calls_invite(self, event: dict[str, Any]) -> None:
        if event["user"] == self.user.pk:
            return  # this person's own call, started from another tab
        self.incoming[event["call"]] = event["channel"]
        await self.send_json({"type": "call.invite", "call": event["call"]})

    async def calls_ringing(self, event: dict[str, Any]) -> None:
        if event["call"] == self.call_id and self.peer_channel is None:
            await self.send_json({"type": "call.ringing", "call": event["call"]})

    async def calls_accept(self, event: dict[str, Any]) -> None:
        call_id = event["call"]
        if event["channel"] == self.channel_name:
            return
        if call_id == self.call_id and self.peer_channel is None:
            self._stop_ringing()
            self.peer_channel = event["channel"]
            await self.send_json({"type": "call.accept", "call": call_id})
        elif self.incoming.pop(call_id, None) is not None:
            await self.send_json({"type": "call.hangup", "call": call_id, "reason": "answered_elsewhere"})

    async def calls_decline(self, event: dict[str, Any]) -> None:
        call_id = event["call"]
        if event["channel"] == self.channel_name:
            return
        if call_id == self.call_id:
            self._stop_ringing()
            self.call_id = self.peer_channel = None
            await self.send_json({"type": "call.decline", "call": call_id})
        elif self.incoming.pop(call_id, None) is not None:
            await self.send_json({"type": "call.hangup", "call": call_id, "reason": "declined"})

    async def calls_hangup(self, event: dict[str, Any]) -> None:
        call_id = event["call"]
        if event["channel"] == self.channel_name:
            return
        if call_id == self.call_id:
            self._stop_ringing()
            self.call_id = self.peer_channel = None
            await self.send_json({"type": "call.hangup", "call": call_id, "reason": event["reason"]})
        elif self.incoming.pop(call_id, None) is not None:
            await self.send_json({"type": "call.hangup", "call": call_id, "reason": event["reason"]})

    async def thread_closed(self, event: dict[str, Any]) -> None:
        """The connection closed: no more calls here, and one in progress ends."""
        await self.close_with(CloseCode.FORBIDDEN)

    async def calls_relay(self, event: dict[str, Any]) -> None:
        """An offer, answer or ICE candidate sent straight to this socket by the other end of its call."""
        if event["call"] == self.call_id and event["channel"] == self.peer_channel:
            await self.send_json(event["frame"])

    # --- helpers ----------------------------------------------------------------------------------------------

    async def _group(self, name: str, **fields: Any) -> None:
        await self.channel_layer.group_send(
            self.group, {"type": f"calls.{name}", "user": self.user.pk, "channel": self.channel_name, **fields}
        )

    async def _send_config(self, call_id: int) -> None:
        config = ice_config(call_id=call_id, user_id=self.user.pk)
        await self.send_json({"type": "call.config", "call": call_id, **config})

    async def _relay(self, content: dict[str, Any], payload: dict[str, Any]) -> None:
        call_id = _call_id(content)
        if call_id != self.call_id or self.peer_channel is None:
            raise FrameError("not in that call")
        frame = {"type": content["type"], "call": call_id, **payload}
        await self.channel_layer.send(
            self.peer_channel, {"type": "calls.relay", "call": call_id, "channel": self.channel_name, "frame": frame}
        )

    async def _end(self, *, reason: str, tell_self: bool) -> None:
        call_id = self.call_id
        assert call_id is not None
        self._stop_ringing()
        self.call_id = self.peer_channel = None
        ended = await self._record_end(call_id, failed=reason == "failed")
        # A caller giving up before an answer: to the person called, that is a missed call.
        missed = ended is not None and ended.outcome == CallOutcome.MISSED
        await self._group("hangup", call=call_id, reason="missed" if missed else reason)
        if tell_self:
            await self.send_json({"type": "call.hangup", "call": call_id, "reason": reason})

    async def _record_end(self, call_id: int, *, failed: bool) -> Call | None:
        """End the call record, retrying a busy database briefly: the other side is told either way, and the
        sweeper closes a record whose end could not be written."""
        for attempt in range(3):
            try:
                return await database_sync_to_async(services.end_call)(call_id=call_id, user=self.user, failed=failed)
            except OperationalError:
                await asyncio.sleep(0.1 * (attempt + 1))
        logger.warning("call %s: the end could not be recorded; the sweeper will close it", call_id)
        return None

    async def _ring_out(self, call_id: int) -> None:
        """Nobody answered in time: record it as missed and stop the ringing on both sides."""
        await asyncio.sleep(call_models.RING_SECONDS)
        if self.call_id != call_id or self.peer_channel is not None:
            return
        if not await database_sync_to_async(services.expire_call)(call_id=call_id):
            return
        self.ring_timer = None
        self.call_id = None
        await self._group("hangup", call=call_id, reason="missed")
        await self.send_json({"type": "call.hangup", "call": call_id, "reason": "missed"})

    def _stop_ringing(self) -> None:
        if self.ring_timer is not None and self.ring_timer is not asyncio.current_task():
            self.ring_timer.cancel()
        self.ring_timer = None
