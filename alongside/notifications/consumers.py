"""The live notifications socket, ``ws/notifications/``, held by every page of a signed-in person: the unread count
for the badge, and for supporters the talk-now offers (``talknow.live``: a banner appears, and goes when the offer
is taken or withdrawn), and for coordinators the safety alerts (``safety.live``: a banner until someone acknowledges
the concern). Admission, re-checks and clean-up are the guarded base's (``lib.consumers.GuardedConsumer``)."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from alongside.lib.consumers import GuardedConsumer
from alongside.lib.sockets import COORDINATORS_GROUP
from alongside.notifications.selectors import unread_count
from alongside.notifications.services import user_group


class NotificationsConsumer(GuardedConsumer):
    async def opening(self, access: Any) -> None:
        await self.join(user_group(self.user_id))
        if self.user.is_coordinator:
            await self.join(COORDINATORS_GROUP)

    async def opened(self) -> None:
        await self.send_json({"type": "count", "unread": await database_sync_to_async(unread_count)(self.user_id)})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The badge only listens; anything sent to it is answered with an error frame.
        await self.send_error("this socket accepts no messages")

    async def notify_count(self, event: dict[str, Any]) -> None:
        if not self.ended:
            await self.send_json({"type": "count", "unread": event["unread"]})

    async def talknow_offer(self, event: dict[str, Any]) -> None:
        """Someone would like to talk now: the page shows the banner (no name, no topic: there are none here)."""
        if not self.ended:
            await self.send_json(
                {
                    "type": "talknow_offer",
                    "offer": event["offer"],
                    "request": event["request"],
                    "accept": event["accept"],
                }
            )

    async def talknow_withdrawn(self, event: dict[str, Any]) -> None:
        """The offer was taken by someone else, cancelled or lapsed: the banner goes."""
        if not self.ended:
            await self.send_json({"type": "talknow_withdrawn", "request": event["request"]})

    async def safety_alert(self, event: dict[str, Any]) -> None:
        """A safety concern needs a coordinator: the page shows the banner, with only a link (no detail at all)."""
        if not self.ended:
            await self.send_json({"type": "safety_alert", "concern": event["concern"], "url": event["url"]})

    async def console_changed(self, event: dict[str, Any]) -> None:
        """Something the console's dashboard shows changed: an open dashboard fetches its figures again."""
        if not self.ended and self.user.is_coordinator:
            await self.send_json({"type": "console_changed", "what": event["what"]})

    async def safety_handled(self, event: dict[str, Any]) -> None:
        """Someone acknowledged (or closed) the concern: the banner goes."""
        if not self.ended:
            await self.send_json({"type": "safety_handled", "concern": event["concern"]})
