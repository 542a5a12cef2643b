"""The live notifications badge, ``ws/notifications/``: pushes a person's unread count to their open pages.
Admission, re-checks and clean-up are the guarded base's (``lib.consumers.GuardedConsumer``)."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from alongside.lib.consumers import GuardedConsumer
from alongside.notifications.selectors import unread_count
from alongside.notifications.services import user_group


class NotificationsConsumer(GuardedConsumer):
    async def opening(self, access: Any) -> None:
        await self.join(user_group(self.user_id))

    async def opened(self) -> None:
        await self.send_json({"type": "count", "unread": await database_sync_to_async(unread_count)(self.user_id)})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The badge only listens; anything sent to it is answered with an error frame.
        await self.send_error("this socket accepts no messages")

    async def notify_count(self, event: dict[str, Any]) -> None:
        if not self.ended:
            await self.send_json({"type": "count", "unread": event["unread"]})
