"""The in-process channel layer, with its housekeeping throttled.

Channels' InMemoryChannelLayer walks every channel and group looking for expired
messages on each receive and group_send. With a thousand open sockets that scan
dominates the server's CPU. Expiry only clears what nobody read within a minute, so
doing it at most once a second changes nothing a person can see.
"""

from __future__ import annotations

import time
from typing import Any

from channels.layers import InMemoryChannelLayer


class InProcessChannelLayer(InMemoryChannelLayer):  # type: ignore[misc]
    clean_interval = 1.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._next_clean = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now < self._next_clean:
            return
        self._next_clean = now + self.clean_interval
        super()._clean_expired()
