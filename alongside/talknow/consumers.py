"""The request's socket, ``ws/talk-now/<pk>/``: where a talk-now request stands, live, for the member waiting and
(in the conversation) for the supporter who accepted it. It only listens: each ``talknow.status`` event and each
heartbeat re-reads the request and sends a ``status`` frame; the page moves on when the state says so.
Admission, re-checks and clean-up are the guarded base's (``lib.consumers.GuardedConsumer``)."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from alongside.lib.consumers import GuardedConsumer
from alongside.talknow.access import get_request_for_socket
from alongside.talknow.live import request_group
from alongside.talknow.models import TalkNowRequest
from alongside.talknow.selectors import status


class TalkNowConsumer(GuardedConsumer):
    request_id: int

    def check_access(self, user: Any) -> TalkNowRequest:
        return get_request_for_socket(user, self.request_id, via=self.scope.get("path", ""))

    async def connect(self) -> None:
        self.request_id = int(self.scope["url_route"]["kwargs"]["pk"])
        await super().connect()

    async def opening(self, access: TalkNowRequest) -> None:
        await self.join(request_group(self.request_id))

    async def opened(self) -> None:
        await self.send_status()

    async def send_status(self) -> None:
        frame = await database_sync_to_async(self._status)()
        if frame is not None and not self.ended:
            await self.send_json(frame)

    def _status(self) -> dict[str, Any] | None:
        req = TalkNowRequest.objects.filter(pk=self.request_id).first()
        return status(req, viewer_id=self.user_id) if req is not None else None

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if content.get("type") != "ping":
            await self.send_error("this socket accepts only pings")
            return
        if await self.recheck():
            await self.send_json({"type": "pong"})
            await self.send_status()  # the counts on shift and the expected wait, fresh at every heartbeat

    async def talknow_status(self, event: dict[str, Any]) -> None:
        await self.send_status()
