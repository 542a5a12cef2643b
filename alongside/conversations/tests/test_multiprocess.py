"""Two server processes on one PostgreSQL and one Redis: messages cross between them, and a client moved from
one to the other resumes without loss. Runs only when REDIS_URL and a PostgreSQL DATABASE_URL are set (CI sets both).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from alongside.conversations.tests.live import ChatSite, Peer

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (REDIS_URL and DATABASE_URL.startswith(("postgres://", "postgresql://"))),
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL",
    ),
]


@pytest.fixture
def site(tmp_path: Path):  # type: ignore[no-untyped-def]
    made = ChatSite(tmp_path / "data", database_url=DATABASE_URL, redis_url=REDIS_URL).setup()
    yield made
    made.close()


async def test_a_message_sent_through_one_process_reaches_a_client_of_the_other(site: ChatSite):
    one, two = site.start(), site.start()
    alice = Peer(site, "member", one.port).start()
    bob = Peer(site, "supporter", two.port).start()
    await asyncio.wait_for(asyncio.gather(alice.ready.wait(), bob.ready.wait()), 15)
    await alice.send("a1", "Hello from process one")
    await bob.wait_for(lambda: bob.last >= 1, timeout=10)
    assert bob.received[1]["body"] == "Hello from process one" and bob.received[1]["mine"] is False
    await bob.send("b1", "And back from process two")
    await alice.wait_for(lambda: alice.last >= 2, timeout=10)
    assert alice.received[2]["body"] == "And back from process two"
    await alice.stop()
    await bob.stop()


async def test_both_processes_writing_at_once_share_one_gap_free_order(site: ChatSite):
    one, two = site.start(), site.start()
    alice = Peer(site, "member", one.port).start()
    bob = Peer(site, "supporter", two.port).start()
    await asyncio.wait_for(asyncio.gather(alice.ready.wait(), bob.ready.wait()), 15)

    async def burst(peer: Peer, name: str) -> None:
        for n in range(15):
            await peer.send(f"{name}-{n}", f"{name} {n}")
            await asyncio.sleep(0.01)

    await asyncio.gather(burst(alice, "alice"), burst(bob, "bob"))
    for peer in (alice, bob):
        await peer.wait_for(lambda peer=peer: peer.last >= 30 and not peer.outbox, timeout=20)
    assert alice.bodies() == bob.bodies()  # the same order on both sides
    assert sorted(alice.bodies()) == sorted([f"alice {n}" for n in range(15)] + [f"bob {n}" for n in range(15)])
    # Each sender's own messages keep the order they were sent in.
    assert [b for b in alice.bodies() if b.startswith("alice")] == [f"alice {n}" for n in range(15)]
    assert [b for b in alice.bodies() if b.startswith("bob")] == [f"bob {n}" for n in range(15)]
    await alice.stop()
    await bob.stop()


async def test_a_client_moved_to_the_other_process_resumes_without_loss(site: ChatSite):
    one, two = site.start(), site.start()
    alice = Peer(site, "member", one.port).start()
    bob = Peer(site, "supporter", two.port).start()
    await asyncio.wait_for(asyncio.gather(alice.ready.wait(), bob.ready.wait()), 15)
    await alice.send("a0", "before the move")
    await bob.wait_for(lambda: bob.last >= 1)
    # Bob's process goes away (a deploy, a crash); meanwhile Alice keeps writing.
    bob.port = one.port
    site.kill(two)
    for n in range(1, 6):
        await alice.send(f"a{n}", f"while moving {n}")
    await alice.wait_for(lambda: not alice.outbox)
    await bob.wait_for(lambda: bob.last >= 6, timeout=20)
    assert bob.bodies() == ["before the move"] + [f"while moving {n}" for n in range(1, 6)]
    assert bob.connects >= 2
    await alice.stop()
    await bob.stop()
