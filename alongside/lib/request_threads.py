"""Django's ASGI handler, with each request's synchronous code on one of a fixed set of long-lived threads.

Django runs a request's sync middleware and view inside ``ThreadSensitiveContext()``, which makes
a new thread for every request (and a second one to join it afterwards). Database connections
belong to a thread, so each request also opened a new connection, and ``CONN_MAX_AGE`` could
not keep one. Here a request borrows one of ``threads`` single-thread executors for its whole
life, through asgiref's own ``ThreadSensitiveContext(executor=...)``: its connection stays open
for the next request on that thread (``CONN_MAX_AGE``), and at most ``threads`` requests run
Python at once while the others wait their turn in arrival order instead of sharing the GIL.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext
from django.core.handlers.asgi import ASGIHandler


class RequestThreadsASGIHandler(ASGIHandler):
    def __init__(self, threads: int) -> None:
        super().__init__()
        self.threads = threads
        self._executors = [ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"request-{i}") for i in range(threads)]
        self._free: asyncio.Queue[ThreadPoolExecutor] | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        if self._free is None:  # made on first use, inside the server's event loop
            self._free = asyncio.Queue()
            for executor in self._executors:
                self._free.put_nowait(executor)
        executor = await self._free.get()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self._free.put_nowait(executor)
