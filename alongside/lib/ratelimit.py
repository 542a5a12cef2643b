"""Rate limits for sockets: a per-person window shared by every process (in the cache), a per-socket frame
budget, and the rule that keeps one sender's messages in the order sent when some are refused."""

from __future__ import annotations

import math
import time
from collections import deque

from django.core.cache import cache


class Window:
    """At most ``limit`` hits per ``seconds`` per key, counted in the cache so all of a person's sockets in every
    process share it. ``hit`` answers 0 when allowed, or the seconds until the current window ends."""

    def __init__(self, name: str, *, limit: int, seconds: int) -> None:
        self.name, self.limit, self.seconds = name, limit, seconds

    def hit(self, key: int | str, *, limit: int | None = None) -> int:
        moment = time.time()  # wall time: every process must agree on where a window starts
        window = int(moment // self.seconds)
        cache_key = f"{self.name}.{key}.{window}"
        cache.add(cache_key, 0, self.seconds * 2)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, self.seconds * 2)
            count = 1
        if count <= (self.limit if limit is None else limit):
            return 0
        return max(1, math.ceil((window + 1) * self.seconds - moment))


class FrameBudget:
    """At most ``limit`` frames per ``seconds`` on one socket (a sliding window, in memory)."""

    def __init__(self, *, limit: int, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self.recent: deque[float] = deque()

    def spend(self) -> bool:
        at = time.monotonic()
        while self.recent and self.recent[0] < at - self.seconds:
            self.recent.popleft()
        if len(self.recent) >= self.limit:
            return False
        self.recent.append(at)
        return True


class InOrder:
    """Keeps one socket's sends in the order they were sent when the server refuses one for now.

    Once a send is refused for now (rate limited, not stored), every later send on the socket is refused too
    until the refused one comes again: a client pipelining its outbox can't have message k+1 stored before k.
    """

    def __init__(self) -> None:
        self.held: str | None = None
        self.until = 0.0

    def blocks(self, key: str) -> bool:
        return self.held is not None and key != self.held

    def wait(self) -> int:
        """Seconds until the refused send may come again (at least 1)."""
        return max(1, math.ceil(self.until - time.time()))

    def refused(self, key: str, *, retry_after: float) -> None:
        if self.held is None or key == self.held:
            self.held = key
            self.until = time.time() + retry_after

    def settled(self, key: str) -> None:
        """The held send got its final answer (stored, or refused for good): later sends go again."""
        if key == self.held:
            self.held = None
