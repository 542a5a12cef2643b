"""The group-commit writer: many senders, few transactions; failures reach every sender; broadcasts in seq order."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from alongside.conversations.models import Message
from alongside.conversations.services import Pending, Stored, store_messages
from alongside.conversations.writer import GroupCommitWriter, thread_group

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
def cast(member, supporter, thread):  # type: ignore[no-untyped-def]
    return {"member": member, "supporter": supporter, "thread": thread}


async def test_fifty_senders_at_once_are_stored_in_a_few_transactions_with_distinct_seqs(cast):
    batch_sizes: list[int] = []

    def store(items: Sequence[Pending]) -> list[Stored]:
        batch_sizes.append(len(items))
        return store_messages(items)

    writer = GroupCommitWriter(store=store)
    thread, member = cast["thread"], cast["member"]
    results = await asyncio.gather(*(writer.submit(Pending(thread.pk, member.pk, f"k{n}", f"m{n}")) for n in range(50)))
    assert sorted(r.seq for r in results) == list(range(1, 51))
    assert all(r.created for r in results)
    assert sum(batch_sizes) == 50 and len(batch_sizes) < 10
    assert await database_sync_to_async(Message.objects.count)() == 50


async def test_a_failed_batch_fails_every_sender_in_it_and_the_writer_carries_on(cast):
    calls = 0

    def store(items: Sequence[Pending]) -> list[Stored]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database unavailable")
        return store_messages(items)

    writer = GroupCommitWriter(store=store)
    thread, member = cast["thread"], cast["member"]
    first = await asyncio.gather(
        *(writer.submit(Pending(thread.pk, member.pk, f"k{n}", "x")) for n in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, RuntimeError) for r in first)
    again = await writer.submit(Pending(thread.pk, member.pk, "k0", "x"))
    assert (again.seq, again.created) == (1, True)


async def test_new_messages_are_broadcast_in_seq_order_and_repeats_are_not(cast):
    layer = get_channel_layer()
    channel = await layer.new_channel()
    thread, member = cast["thread"], cast["member"]
    await layer.group_add(thread_group(thread.pk), channel)
    writer = GroupCommitWriter()
    event = {"type": "chat.message", "sender_id": member.pk, "sender": "Alice", "body": "", "key": ""}
    await asyncio.gather(
        *(writer.submit(Pending(thread.pk, member.pk, f"k{n}", f"m{n}"), {**event, "body": f"m{n}"}) for n in range(5))
    )
    await writer.submit(Pending(thread.pk, member.pk, "k0", "m0"), {**event, "body": "m0"})  # a repeat
    got = [await asyncio.wait_for(layer.receive(channel), 2) for _ in range(5)]
    assert [e["seq"] for e in got] == [1, 2, 3, 4, 5]
    assert all(e["at"] for e in got)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(layer.receive(channel), 0.3)
