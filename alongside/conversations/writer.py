"""The group-commit writer: one per process (per event loop), storing messages in small batches.

Storing each message in its own transaction costs a commit (an fsync) per message, and
at a few hundred messages a second those commits queue behind each other. Here consumers
put what they want stored on a queue and await a future; one task takes everything
queued (up to ``MAX_BATCH``), stores it in ONE transaction on a dedicated thread, and
resolves the futures. While a batch commits, the next one gathers, so the batch size
grows with the load and the latency stays near one commit.

After a batch is stored, the new messages are broadcast to their threads' groups in seq
order by a second task, so the writer never waits for the channel layer. The broadcast
is best effort: a client that misses one sees a gap in the seqs and resumes.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from channels.layers import get_channel_layer
from django.db import connection

from alongside.conversations.services import Pending, Stored, store_messages
from alongside.lib.sockets import chat_group

log = logging.getLogger(__name__)

MAX_BATCH = 200
"""The most messages stored in one transaction."""
IDLE_CLOSE_SECONDS = 1.0
"""The writer keeps its database connection while busy and closes it after this long without messages."""

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-writer")


def thread_group(thread_id: int) -> str:
    return chat_group(thread_id)


def _store_on_writer_thread(items: Sequence[Pending]) -> list[Stored]:
    # The writer's thread keeps its connection from batch to batch (reconnecting for each would cost more than
    # the batch); a connection that failed is dropped here and made again for the next batch.
    try:
        return store_messages(items)
    except Exception:
        connection.close()
        raise


def _close_writer_connection() -> None:
    connection.close()


@dataclass
class _Job:
    item: Pending
    future: asyncio.Future[Stored]
    broadcast: dict[str, Any] = field(default_factory=dict)


class GroupCommitWriter:
    """Batches ``Pending`` messages into single transactions. Use ``get_writer()``; one per event loop."""

    def __init__(self, store: Callable[[Sequence[Pending]], list[Stored]] = _store_on_writer_thread) -> None:
        self._store = store
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._outbox: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self.batches = 0

    def _start(self) -> None:
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._write_forever(), name="chat-writer"),
                asyncio.create_task(self._broadcast_forever(), name="chat-broadcaster"),
            ]

    async def submit(self, item: Pending, broadcast: dict[str, Any] | None = None) -> Stored:
        """Store ``item`` (with everything else queued now) and return its outcome.

        ``broadcast`` is the event to send to the thread's group if the message is new; the
        writer adds ``seq`` and ``at`` to it.
        """
        self._start()
        future: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Job(item, future, broadcast or {}))
        # If the consumer goes away meanwhile the message is still stored: the client's resend finds it by its key.
        return await asyncio.shield(future)

    async def _write_forever(self) -> None:
        try:
            await self._write_batches()
        finally:  # the loop is shutting down: let go of the database connection too
            _executor.submit(_close_writer_connection)

    async def _write_batches(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                first = await asyncio.wait_for(self._queue.get(), IDLE_CLOSE_SECONDS)
            except TimeoutError:
                await loop.run_in_executor(_executor, _close_writer_connection)
                first = await self._queue.get()
            jobs = [first]
            while len(jobs) < MAX_BATCH and not self._queue.empty():
                jobs.append(self._queue.get_nowait())
            try:
                results = await loop.run_in_executor(_executor, self._store, [job.item for job in jobs])
            except Exception as exc:  # the database is unavailable: every sender gets an error and may retry
                log.warning("chat writer: a batch of %d was not stored (%s)", len(jobs), type(exc).__name__)
                for job in jobs:
                    if not job.future.done():
                        job.future.set_exception(exc)
                continue
            self.batches += 1
            for job, result in zip(jobs, results, strict=True):
                if result.created and job.broadcast:
                    event = {**job.broadcast, "seq": result.seq, "at": result.created_at_iso}
                    self._outbox.put_nowait((thread_group(job.item.thread_id), event))
                if not job.future.done():
                    job.future.set_result(result)

    async def _broadcast_forever(self) -> None:
        while True:
            group, event = await self._outbox.get()
            layer = get_channel_layer()  # each time (a dict lookup): a layer replaced after start-up is the one used
            if layer is None:
                continue
            try:
                await layer.group_send(group, event)
            except Exception as exc:  # best effort: the message is stored, clients resume from their last seq
                log.warning("chat broadcaster: a message was not broadcast (%s)", type(exc).__name__)


_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, GroupCommitWriter] = weakref.WeakKeyDictionary()


def get_writer() -> GroupCommitWriter:
    """This event loop's writer (a process normally has one loop; tests make one per test)."""
    loop = asyncio.get_running_loop()
    writer = _writers.get(loop)
    if writer is None:
        writer = _writers[loop] = GroupCommitWriter()
    return writer
