"""Websocket load shared by the benchmarks: a bare echo server and a crowd of chatting clients.

The crowd is a list of sockets opened in pairs on the same path (one pair per thread). Each
client sends a ``send`` frame every ``period`` seconds on average (exponential gaps, so the
whole crowd is a Poisson stream) with a body carrying a unique id and the send time, and
reads everything the server sends back. A frame whose body was sent by this client is its
acknowledgement (``ack`` from the chat consumer, the echo from the bare server); a body sent
by the other client of its pair is a delivery, timed from the send to this receipt. All
clients live in one process, so the send time and the receipt time come from one clock.

    python -m bench._ws echo PORT   # the bare echo server (run in its own process)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin


def note(text: str) -> None:
    """Progress on stderr when CHAT_BENCH_VERBOSE is set (stdout carries only the JSON lines)."""
    if os.environ.get("CHAT_BENCH_VERBOSE"):
        print(f"{time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)


def raise_open_files_limit(wanted: int = 16384) -> int:
    """Lift the soft limit on open files towards ``wanted`` (children inherit it). Returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


# The bare echo server ----------------------------------------------------------------------------


async def _echo_server(port: int) -> None:
    """Every text frame goes back to every socket open on the same path (the sender and its pair)."""
    rooms: dict[str, set[ServerConnection]] = {}

    async def handler(websocket: ServerConnection) -> None:
        path = websocket.request.path if websocket.request is not None else "/"
        room = rooms.setdefault(path, set())
        room.add(websocket)
        try:
            async for frame in websocket:
                for other in list(room):
                    with contextlib.suppress(ConnectionClosed):
                        await other.send(frame)
        finally:
            room.discard(websocket)

    async with serve(handler, "127.0.0.1", port, ping_interval=None, max_queue=None):
        await asyncio.Future()


def run_echo_server(port: int) -> None:
    raise_open_files_limit()
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    asyncio.run(_echo_server(port))


# The crowd ---------------------------------------------------------------------------------------


@dataclass
class Peer:
    """One client to open: where, and with which extra headers (the session cookie)."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Tally:
    """What the crowd sent and saw. Keys are the message ids ("<client>-<n>")."""

    sent: dict[str, int] = field(default_factory=dict)  # id -> send time (perf_counter_ns)
    counted: set[str] = field(default_factory=set)  # ids sent after the warm-up
    acked: set[str] = field(default_factory=set)
    delivered: dict[str, float] = field(default_factory=dict)  # id -> latency in ms, at the pair's other client
    duplicates: int = 0
    strays: int = 0  # a delivery of a body this pair never sent
    errors: Counter[str] = field(default_factory=Counter)
    other_frames: Counter[str] = field(default_factory=Counter)
    closed: Counter[str] = field(default_factory=Counter)  # close codes of sockets the server closed early
    connect_failures: Counter[str] = field(default_factory=Counter)


@dataclass
class Load:
    clients: int
    period: float = 5.0
    """Mean seconds between one client's messages."""
    seconds: float = 30.0
    """How long the crowd sends after the warm-up."""
    warmup: float = 5.0
    """Seconds of sending at the start whose latencies are not counted (their losses are)."""
    drain: float = 5.0
    """After the last send, stop waiting for acks and deliveries once none has arrived for this long."""
    drain_limit: float = 90.0
    """The longest wait after the last send, however slowly they still arrive."""
    heartbeat: float = 25.0
    """Each client sends {"type": "ping"} this often, as the page does; 0 for never."""
    connect_concurrency: int = 50
    seed: int = 7


def _owner(message_id: str) -> int:
    return int(message_id.split("-", 1)[0])


def _body_id(body: Any) -> str | None:
    if isinstance(body, str) and body.startswith("bench "):
        parts = body.split(" ")
        if len(parts) == 3:
            return parts[1]
    return None


class _Client:
    def __init__(self, index: int, pair_index: int, socket: ClientConnection, tally: Tally) -> None:
        self.index = index
        self.pair_index = pair_index
        self.socket = socket
        self.tally = tally
        self.count = 0
        self.closing = False

    async def receive(self) -> None:
        tally = self.tally
        try:
            async for raw in self.socket:
                now_ns = time.perf_counter_ns()
                try:
                    frame = json.loads(raw)
                    kind = frame.get("type")
                except (ValueError, AttributeError):
                    tally.other_frames["not-json"] += 1
                    continue
                if kind == "ack":
                    key = frame.get("key")
                    if isinstance(key, str) and key in tally.sent:
                        tally.acked.add(key)
                    continue
                if kind in ("message", "send"):  # "send": the bare echo server returns the frame as it came
                    message_id = _body_id(frame.get("body"))
                    if message_id is None or message_id not in tally.sent:
                        tally.strays += 1
                        continue
                    owner = _owner(message_id)
                    if owner == self.index:
                        if kind == "send":
                            tally.acked.add(message_id)
                        continue
                    if owner != self.pair_index:
                        tally.strays += 1
                    elif message_id in tally.delivered:
                        tally.duplicates += 1
                    else:
                        tally.delivered[message_id] = (now_ns - tally.sent[message_id]) / 1e6
                    continue
                if kind in ("pong", "ping", "hello"):  # heartbeat answers (or echoes), the greeting
                    continue
                if kind == "error":
                    tally.errors[str(frame.get("error"))[:80]] += 1
                    continue
                tally.other_frames[str(kind)[:40]] += 1
        except ConnectionClosed:
            pass
        if self.socket.close_code is not None and not self.closing:
            tally.closed[str(self.socket.close_code)] += 1

    async def send_loop(self, load: Load, warm_until: float, stop_at: float) -> None:
        rng = random.Random(load.seed * 100_003 + self.index)
        loop = asyncio.get_running_loop()
        await asyncio.sleep(rng.expovariate(1 / load.period))  # memoryless: the crowd is Poisson from the start
        while loop.time() < stop_at:
            self.count += 1
            message_id = f"{self.index}-{self.count}"
            sent_ns = time.perf_counter_ns()
            self.tally.sent[message_id] = sent_ns
            if loop.time() >= warm_until:
                self.tally.counted.add(message_id)
            frame = {"type": "send", "key": message_id, "body": f"bench {message_id} {sent_ns}"}
            try:
                await self.socket.send(json.dumps(frame))
            except ConnectionClosed:
                return
            gap = rng.expovariate(1 / load.period)
            if loop.time() + gap >= stop_at:
                return
            await asyncio.sleep(gap)

    async def heartbeat(self, load: Load, stop_at: float) -> None:
        if not load.heartbeat:
            return
        loop = asyncio.get_running_loop()
        wait = random.Random(self.index).uniform(0, load.heartbeat)
        while loop.time() + wait < stop_at:
            await asyncio.sleep(wait)
            try:
                await self.socket.send('{"type": "ping"}')
            except ConnectionClosed:
                return
            wait = load.heartbeat


async def _open(index: int, peer: Peer, origin: str, gate: asyncio.Semaphore, tally: Tally) -> ClientConnection | None:
    async with gate:
        try:
            return await connect(
                peer.url,
                origin=Origin(origin),
                additional_headers=peer.headers,
                proxy=None,
                open_timeout=60,
                ping_interval=None,
                close_timeout=2,
            )
        except Exception as exc:
            tally.connect_failures[f"{type(exc).__name__}: {exc}"[:120]] += 1
            return None


async def run_crowd(
    peers: Sequence[Peer],
    origin: str,
    load: Load,
    server_pid: int | None = None,
    sending: asyncio.Event | None = None,
) -> tuple[Tally, dict[str, float]]:
    """Open every socket (pairs are peers 2k and 2k+1), run the load, and say what happened and when.

    CPU use is measured over the sending and draining, in percent of one core: this process (the
    clients), the server's process (``server_pid``), and the whole machine. ``sending`` is set when the
    crowd starts sending (another measurement can then run beside the load: bench/talknow.py).
    """
    tally = Tally()
    gate = asyncio.Semaphore(load.connect_concurrency)
    started = time.monotonic()
    sockets = await asyncio.gather(*[_open(i, peer, origin, gate, tally) for i, peer in enumerate(peers)])
    timings = {"connect_s": time.monotonic() - started}
    note(f"{sum(s is not None for s in sockets)} sockets open in {timings['connect_s']:.1f} s")
    clients = [_Client(i, i ^ 1, s, tally) for i, s in enumerate(sockets) if s is not None]
    if tally.connect_failures:
        for client in clients:
            await client.socket.close()
        return tally, timings
    receivers = [asyncio.create_task(client.receive()) for client in clients]
    await asyncio.sleep(1.0)  # whatever the server says on opening
    loop = asyncio.get_running_loop()
    begin = loop.time()
    warm_until, stop_at = begin + load.warmup, begin + load.warmup + load.seconds
    cpu_before, machine_before = time.process_time(), machine_cpu_seconds()
    server_before = process_cpu_seconds(server_pid) if server_pid else 0.0
    if sending is not None:
        sending.set()
    await asyncio.gather(
        *[client.send_loop(load, warm_until, stop_at) for client in clients],
        *[client.heartbeat(load, stop_at) for client in clients],
    )
    timings["send_s"] = loop.time() - begin
    note(f"sent {len(tally.sent)}; acked {len(tally.acked)}, delivered {len(tally.delivered)} so far")
    # Wait for what is on its way: while acks or deliveries still arrive (a server that is far behind
    # is late, not lossy), up to ``drain_limit``; stop once nothing has arrived for ``drain`` seconds.
    drain_until, last_seen, last_progress = loop.time() + load.drain_limit, -1, loop.time()
    while loop.time() < drain_until and loop.time() - last_progress < load.drain:
        seen = len(tally.acked) + len(tally.delivered)
        if seen >= 2 * len(tally.sent):
            break
        if seen != last_seen:
            last_seen, last_progress = seen, loop.time()
        await asyncio.sleep(0.1)
    timings["drain_s"] = loop.time() - begin - timings["send_s"]
    elapsed = max(1e-9, loop.time() - begin)
    timings["client_cpu_percent"] = 100 * (time.process_time() - cpu_before) / elapsed
    timings["machine_cpu_percent"] = 100 * (machine_cpu_seconds() - machine_before) / elapsed
    if server_pid:
        timings["server_cpu_s"] = process_cpu_seconds(server_pid) - server_before
        timings["server_cpu_percent"] = 100 * timings["server_cpu_s"] / elapsed
    for client in clients:
        client.closing = True
    await asyncio.gather(*[client.socket.close() for client in clients], return_exceptions=True)
    for task in receivers:
        task.cancel()
    await asyncio.gather(*receivers, return_exceptions=True)
    return tally, timings


def run(
    peers: Sequence[Peer], origin: str, load: Load, server_pid: int | None = None
) -> tuple[Tally, dict[str, float]]:
    with contextlib.suppress(ImportError):
        import uvloop

        return uvloop.run(run_crowd(peers, origin, load, server_pid))
    return asyncio.run(run_crowd(peers, origin, load, server_pid))


def summary(tally: Tally, load: Load) -> dict[str, Any]:
    """The figures: latency percentiles over the counted deliveries, and the losses."""
    samples = [ms for message_id, ms in tally.delivered.items() if message_id in tally.counted]
    lost = [message_id for message_id in tally.acked if message_id not in tally.delivered]
    out: dict[str, Any] = {
        "sent": len(tally.sent),
        "acked": len(tally.acked),
        "received": len(tally.delivered),
        "lost": len(lost),
        "unacked": len(tally.sent) - len(tally.acked),
        "rate_per_s": round(len(tally.sent) / (load.warmup + load.seconds), 1),
        "duplicates": tally.duplicates,
    }
    if len(samples) >= 2:
        cuts = statistics.quantiles(samples, n=100, method="inclusive")
        out.update(p50=round(cuts[49], 1), p95=round(cuts[94], 1), p99=round(cuts[98], 1), max=round(max(samples), 1))
    else:
        out.update(p50=None, p95=None, p99=None, max=None)
    for name, counter in (("errors", tally.errors), ("closed", tally.closed), ("other_frames", tally.other_frames)):
        if counter:
            out[name] = dict(counter.most_common(5))
    if tally.strays:
        out["strays"] = tally.strays
    return out


def machine_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores, Linux), or 0 when it can't be read."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            ticks = [int(value) for value in stat.readline().split()[1:9]]
        return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # less idle and iowait
    except (OSError, ValueError):
        return 0.0


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux), or 0 when it can't be read."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "echo":
        run_echo_server(int(sys.argv[2]))
    else:
        raise SystemExit("usage: python -m bench._ws echo PORT")
