"""A JSON websocket consumer that survives bad frames."""

from __future__ import annotations

import json
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer

MAX_FRAME_BYTES = 16 * 1024


class SafeJsonConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """Malformed, oversized or binary frames get an error frame; the socket and the process stay up."""

    max_frame_bytes = MAX_FRAME_BYTES
    """Subclasses whose frames carry more (a call's SDP) raise this."""

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections before every event, a hop to its shared worker thread
        # for each frame and broadcast. Our consumers touch the database only through database_sync_to_async,
        # which does that housekeeping itself, so the hop is pure cost under load.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if text_data is None:
            await self.send_error("binary frames are not accepted")
            return
        if len(text_data.encode("utf-8")) > self.max_frame_bytes:
            await self.send_error("frame too large")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_error("frames must be JSON")
            return
        if not isinstance(content, dict):
            await self.send_error("frames must be JSON objects")
            return
        await self.receive_json(content, **kwargs)

    async def send_error(self, error: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "error": error, **extra})
