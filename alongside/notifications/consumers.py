"""The live notifications badge: pushes a person's unread count to their open pages."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from alongside.lib.consumers import SafeJsonConsumer
from alongside.notifications.selectors import unread_count
from alongside.notifications.services import user_group

CLOSE_UNAUTHENTICATED = 4401


class NotificationsConsumer(SafeJsonConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "count", "unread": await database_sync_to_async(unread_count)(user.pk)})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The badge only listens; anything sent to it is answered with an error frame.
        await self.send_error("this socket accepts no messages")

    async def notify_count(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "count", "unread": event["unread"]})
