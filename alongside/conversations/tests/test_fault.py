"""Nothing lost, nothing doubled: a client sends continuously while its sockets are cut and the server is killed.

The server runs in its own process on a SQLite file (as a single-machine install does); the
client behaves like static/js/chat.js (an outbox with idempotency keys, resume after reconnect).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from alongside.conversations.tests.live import ChatSite, Peer, free_port

pytestmark = [pytest.mark.slow]

MESSAGES = 30
GAP_SECONDS = 0.55  # under the rate limit of 20 per 10 s, with room for resends


@pytest.fixture
def site(tmp_path: Path):  # type: ignore[no-untyped-def]
    made = ChatSite(tmp_path / "data").setup()
    yield made
    made.close()


async def test_what_is_received_equals_what_was_sent_in_order_through_drops_and_a_restart(site: ChatSite):
    port = free_port()
    server = site.start(port)
    alice = Peer(site, "member", port).start()
    bob = Peer(site, "supporter", port).start()
    await asyncio.wait_for(asyncio.gather(alice.ready.wait(), bob.ready.wait()), 15)
    sent = [f"message {n} from Alice" for n in range(MESSAGES)]

    async def produce() -> None:
        for n, body in enumerate(sent):
            await alice.send(f"key-{n}", body)
            await asyncio.sleep(GAP_SECONDS)

    async def chaos() -> None:
        nonlocal server
        for round_ in range(12):
            await asyncio.sleep(1.1)
            await (alice if round_ % 2 else bob).drop()
            if round_ == 6:  # kill the server outright (no graceful shutdown) and start it again
                site.kill(server)
                await asyncio.sleep(0.5)
                server = await asyncio.to_thread(site.start, port)

    await asyncio.gather(produce(), chaos())
    await alice.wait_for(lambda: not alice.outbox and len(alice.acked) == MESSAGES, timeout=60)
    await bob.wait_for(lambda: bob.last >= MESSAGES, timeout=60)
    await alice.stop()
    await bob.stop()

    assert bob.bodies() == sent  # everything, in the order sent
    assert sorted(bob.received) == list(range(1, MESSAGES + 1))  # and nothing else
    assert [alice.acked[f"key-{n}"] for n in range(MESSAGES)] == list(range(1, MESSAGES + 1))
    assert await asyncio.to_thread(site.stored_count) == MESSAGES
    assert alice.connects >= 4 and bob.connects >= 4
