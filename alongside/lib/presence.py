"""Who has a socket open where: exact for this process, and a cache key (Redis with REDIS_URL) for the others.

A "room" is whatever a socket is open on (a thread, later a shift or a group). ``arrive`` and ``leave`` pair up
on every socket however it ends (the consumer base calls ``leave`` from its clean-up), so the count here never
keeps a socket that has gone; the cache key expires by itself ``ttl`` seconds after the last heartbeat.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.core.cache import cache


class Presence:
    def __init__(self, name: str, *, ttl: int) -> None:
        self.name = name
        self.ttl = ttl
        self.here: Counter[tuple[int, int]] = Counter()
        """Sockets open in this process, by (room, person)."""

    def key(self, room: int, user_id: int) -> str:
        return f"{self.name}.here.{room}.{user_id}"

    def arrive(self, room: int, user_id: int, channel: str) -> None:
        self.here[(room, user_id)] += 1
        self.refresh(room, user_id, channel)

    def refresh(self, room: int, user_id: int, channel: str) -> None:
        """A heartbeat: the person is still here (the key names this socket's channel)."""
        cache.set(self.key(room, user_id), channel, self.ttl)

    def leave_here(self, room: int, user_id: int) -> None:
        """The in-process half of ``leave``: needs nothing outside this process, so it always succeeds."""
        pair = (room, user_id)
        self.here[pair] -= 1
        if self.here[pair] <= 0:
            del self.here[pair]

    def leave_cache(self, room: int, user_id: int, channel: str) -> None:
        # Another socket of the same person (another tab) refreshes the key with its own name: leave it be.
        key = self.key(room, user_id)
        if cache.get(key) == channel:
            cache.delete(key)

    def absent(self, room: int, user_ids: Iterable[int]) -> list[int]:
        """Of ``user_ids``, those with no socket on ``room`` here or (by the cache) in another process."""
        others = [uid for uid in user_ids if (room, uid) not in self.here]
        if not others:
            return []
        present = cache.get_many([self.key(room, uid) for uid in others])
        return [uid for uid in others if self.key(room, uid) not in present]
