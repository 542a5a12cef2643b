"""Group fan-out: `groups.fanout_p99` (and `groups.lost`), beside `groups.echo_p99`, the bare fan-out ceiling.

Method
------
The server: a fresh data directory, `alongside migrate`, then (in a Django subprocess, no sign-ins) 40 peer circles
made with the groups services: each has 1 facilitator (a supporter with a TOTP authenticator, as the role needs) who
makes it with `create_group`, and 24 members who `join` it (open circles, the agreement accepted): 25 people and
25 sockets a group, 1,000 in all. One session per account made with `SessionStore`, whose key the client sends as
its session cookie (with an `Origin` header of the site). Then `alongside serve --no-worker`: one uvicorn process,
DEBUG off, log level WARNING. On SQLite the in-process channel layer and cache; on PostgreSQL (when 127.0.0.1:5432
answers) Redis as well (`GROUPS_BENCH_REDIS_URL`, default redis://127.0.0.1:6379/5, flushed first; `none` for PostgreSQL alone) in a database
`GROUPS_BENCH_PG_NAME` (default alongside_groupbench), made for the run and dropped after it.

The load (all clients in this process, asyncio with uvloop, one clock): every one of the 1,000 sockets opens
`/ws/threads/<group thread>/` and reads everything. In each group one member (not the facilitator) sends a
message every 2 s; the 40 senders are staggered evenly over the 2 s (20 messages a second in all, 500 deliveries
a second). 4 s of warm-up (not timed; its losses count), `GROUPS_BENCH_SECONDS` of measurement (default 40), then
a wait for what is still on its way (until nothing has arrived for 5 s, at most 60 s). Every socket also sends
{"type": "ping"} every 25 s, as the page does. Each body carries a unique id and the send time, and the id is also
the idempotency key.

- Latency: from just before the sender writes its `send` frame to the moment a member's socket reads the
  broadcast `message` frame, one sample per message and receiving socket (the 24 others in the group; the
  sender's own copy is checked for loss, not timed). `p99_last` is the p99 over messages of the time until the
  *last* of the 24 has it.
- Nothing lost: `expected` = acknowledged messages x 25 sockets, `received` = message frames read for them;
  `lost` = expected - received (0 to pass). Every socket's seqs must run without a gap from the first it saw to the
  last acknowledged in its group (`seq_gaps`), and each socket's frames must not repeat (`duplicates`).
  Clients do not reconnect; `closed` counts sockets the server closed, by close code.

The ceiling, `groups.echo_p99`: the same crowd (40 paths of 25 sockets, the same senders) against the bare
`websockets` server of bench/_ws.py in its own process, which sends every frame to every socket on its path.
`ratio` = fan-out p99 / echo p99 of the same run. Every line also says the load average, CPU use (the server, the
clients, the machine, in percent of one core) and the server's CPU time per message sent
(`server_cpu_ms_per_message`, the figure to compare versions by: crowding changes it little).

    python -m bench.groups                       # echo, SQLite, PostgreSQL + Redis (if they answer)
    python -m bench.groups echo sqlite           # just those
    GROUPS_BENCH_SECONDS=10 python -m bench.groups sqlite
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from bench import _ws
from bench.chat import ALONGSIDE, ROOT, _context, _env, _free_port, _wait_for_port

GROUPS = 40
SIZE = 25
"""People (and sockets) per group: 1 facilitator and 24 members."""
PERIOD_S = 2.0
WARMUP_S = 4.0
HEARTBEAT_S = 25.0
DRAIN_QUIET_S = 5.0
DRAIN_LIMIT_S = 60.0
BUDGET_MS = 150.0
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_NAME = os.environ.get("GROUPS_BENCH_PG_NAME", "alongside_groupbench")
REDIS_URL = os.environ.get("GROUPS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")


def _seconds() -> float:
    return float(os.environ.get("GROUPS_BENCH_SECONDS", "40"))


# Set-up, run inside a Django process ------------------------------------------------------------


def prepare(groups: int, size: int) -> dict[str, Any]:
    """Make the people, the circles (with the services) and the sessions; say the cookie name and, per group, its
    thread and its sockets' session keys (the facilitator's first, then the members')."""
    import django

    django.setup()
    import datetime as dt
    import secrets

    from allauth.mfa.adapter import get_adapter as get_mfa_adapter
    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction

    from alongside.accounts.models import Profile, User
    from alongside.groups import services
    from alongside.groups.models import GroupKind, JoinPolicy, Purpose
    from alongside.lib.time import now

    at = now()
    password = make_password(secrets.token_urlsafe(24))
    backend = "allauth.account.auth_backends.AuthenticationBackend"
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(email=f"groupbench{i}@bench.invalid", password=password, is_supporter=i % size == 0)
                for i in range(groups * size)
            ]
        )
        Profile.objects.bulk_create(
            [Profile(user=user, display_name=f"Bench peer {i}", completed_at=at) for i, user in enumerate(users)]
        )
        mfa = get_mfa_adapter()
        Authenticator.objects.bulk_create(
            [
                Authenticator(
                    user=user, type=Authenticator.Type.TOTP, data={"secret": mfa.encrypt(secrets.token_hex(20))}
                )
                for user in users
                if user.is_supporter
            ]
        )
    made = []
    for g in range(groups):
        people = users[g * size : (g + 1) * size]
        group = services.create_group(
            kind=GroupKind.CIRCLE,
            name=f"Bench circle {g}",
            created_by=people[0],
            facilitators=[people[0]],
            purpose=Purpose.ANYONE,
            capacity=size,
            join_policy=JoinPolicy.OPEN,
        )
        for person in people[1:]:
            services.join(group=group, user=person, accepted_agreement=True)
        made.append((group.thread_id, people))
    store = SessionStore()
    session_hash = users[0].get_session_auth_hash()  # one password hash for all, so one session hash
    expires = at + dt.timedelta(days=1)
    keys: dict[int, str] = {}
    sessions = []
    for user in users:
        key = secrets.token_hex(16)
        methods: list[dict[str, Any]] = [{"method": "password", "at": at.timestamp(), "email": user.email}]
        if user.is_supporter:
            methods.append({"method": "mfa", "at": at.timestamp(), "type": "totp"})
        data = {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": backend,
            "_auth_user_hash": session_hash,
            "account_authentication_methods": methods,
        }
        keys[user.pk] = key
        sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
    Session.objects.bulk_create(sessions)
    return {
        "cookie": settings.SESSION_COOKIE_NAME,
        "groups": [[thread_id, [keys[p.pk] for p in people]] for thread_id, people in made],
    }


# The crowd ---------------------------------------------------------------------------------------


@dataclass
class Tally:
    sent: dict[str, int] = field(default_factory=dict)  # id -> send time (perf_counter_ns)
    group_of: dict[str, int] = field(default_factory=dict)  # id -> group index
    counted: set[str] = field(default_factory=set)  # ids sent after the warm-up
    acked: dict[str, int | None] = field(default_factory=dict)  # id -> seq (None from the echo server)
    received: dict[str, int] = field(default_factory=dict)  # id -> sockets that read it (the sender's included)
    samples: list[float] = field(default_factory=list)  # ms, one per counted message and other socket
    last: dict[str, float] = field(default_factory=dict)  # id -> ms until the last other socket read it
    duplicates: int = 0
    strays: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    closed: dict[str, int] = field(default_factory=dict)
    connect_failures: dict[str, int] = field(default_factory=dict)


def _bump(counter: dict[str, int], key: str) -> None:
    counter[key] = counter.get(key, 0) + 1


class _Socket:
    def __init__(self, group: int, index: int, socket: ClientConnection, tally: Tally) -> None:
        self.group, self.index, self.socket, self.tally = group, index, socket, tally
        self.seen: set[str] = set()
        self.seqs: list[int] = []
        self.closing = False

    async def receive(self) -> None:
        tally = self.tally
        try:
            async for raw in self.socket:
                now_ns = time.perf_counter_ns()
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "ack":
                    key = frame.get("key")
                    if isinstance(key, str) and key in tally.sent:
                        tally.acked[key] = frame.get("seq")
                    continue
                if kind in ("message", "send"):  # "send": the echo server returns the frame as it came
                    body = frame.get("body")
                    parts = body.split(" ") if isinstance(body, str) else []
                    message_id = parts[1] if len(parts) == 3 and parts[0] == "bench" else None
                    if message_id is None or message_id not in tally.sent or tally.group_of[message_id] != self.group:
                        tally.strays += 1
                        continue
                    if message_id in self.seen:
                        tally.duplicates += 1
                        continue
                    self.seen.add(message_id)
                    if isinstance(frame.get("seq"), int):
                        self.seqs.append(frame["seq"])
                    tally.received[message_id] = tally.received.get(message_id, 0) + 1
                    if message_id.startswith(f"{self.index}-"):  # one's own copy: the echo server's ack
                        if kind == "send":
                            tally.acked[message_id] = None
                        continue
                    ms = (now_ns - tally.sent[message_id]) / 1e6
                    if message_id in tally.counted:
                        tally.samples.append(ms)
                        tally.last[message_id] = max(ms, tally.last.get(message_id, 0.0))
                    continue
                if kind == "error":
                    _bump(tally.errors, str(frame.get("error"))[:80])
        except ConnectionClosed:
            pass
        if self.socket.close_code is not None and not self.closing:
            _bump(tally.closed, str(self.socket.close_code))

    async def send_loop(self, offset: float, begin: float, warm_until: float, stop_at: float) -> None:
        loop = asyncio.get_running_loop()
        count, next_at = 0, begin + offset
        while next_at < stop_at:
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            count += 1
            message_id = f"{self.index}-{count}"
            sent_ns = time.perf_counter_ns()
            self.tally.sent[message_id] = sent_ns
            self.tally.group_of[message_id] = self.group
            if loop.time() >= warm_until:
                self.tally.counted.add(message_id)
            frame = {"type": "send", "key": message_id, "body": f"bench {message_id} {sent_ns}"}
            try:
                await self.socket.send(json.dumps(frame))
            except ConnectionClosed:
                return
            next_at += PERIOD_S

    async def heartbeat(self, stop_at: float) -> None:
        loop = asyncio.get_running_loop()
        wait = (self.index * 0.618) % HEARTBEAT_S
        while loop.time() + wait < stop_at:
            await asyncio.sleep(wait)
            try:
                await self.socket.send('{"type": "ping"}')
            except ConnectionClosed:
                return
            wait = HEARTBEAT_S


async def _open(url: str, headers: dict[str, str], origin: str, gate: asyncio.Semaphore, tally: Tally) -> Any:
    async with gate:
        try:
            return await connect(
                url,
                origin=Origin(origin),
                additional_headers=headers,
                proxy=None,
                open_timeout=60,
                ping_interval=None,
                close_timeout=2,
            )
        except Exception as exc:
            _bump(tally.connect_failures, f"{type(exc).__name__}: {exc}"[:120])
            return None


async def run_crowd(
    groups: list[list[tuple[str, dict[str, str]]]], origin: str, seconds: float, server_pid: int
) -> tuple[Tally, list[_Socket], dict[str, float]]:
    """Open every socket of every group, let one member of each group send every 2 s, and tally what arrives."""
    tally = Tally()
    gate = asyncio.Semaphore(50)
    started = time.monotonic()
    flat = [(g, url, headers) for g, peers in enumerate(groups) for url, headers in peers]
    opened = await asyncio.gather(*[_open(url, headers, origin, gate, tally) for _g, url, headers in flat])
    timings = {"connect_s": time.monotonic() - started}
    sockets = [_Socket(g, i, s, tally) for i, ((g, _u, _h), s) in enumerate(zip(flat, opened, strict=True)) if s]
    _ws.note(f"{len(sockets)} sockets open in {timings['connect_s']:.1f} s")
    if tally.connect_failures:
        await asyncio.gather(*[s.socket.close() for s in sockets], return_exceptions=True)
        return tally, sockets, timings
    receivers = [asyncio.create_task(s.receive()) for s in sockets]
    await asyncio.sleep(1.0)  # the hellos
    senders = [next(s for s in sockets if s.group == g and s.index % SIZE == 1) for g in range(len(groups))]
    loop = asyncio.get_running_loop()
    begin = loop.time()
    warm_until, stop_at = begin + WARMUP_S, begin + WARMUP_S + seconds
    cpu_before, machine_before = time.process_time(), _ws.machine_cpu_seconds()
    server_before = _ws.process_cpu_seconds(server_pid)
    await asyncio.gather(
        *[s.send_loop(PERIOD_S * g / len(senders), begin, warm_until, stop_at) for g, s in enumerate(senders)],
        *[s.heartbeat(stop_at) for s in sockets],
    )
    timings["send_s"] = loop.time() - begin
    _ws.note(f"sent {len(tally.sent)}; acked {len(tally.acked)}")
    expected = len(tally.sent) * SIZE
    drain_until, last_seen, last_progress = loop.time() + DRAIN_LIMIT_S, -1, loop.time()
    while loop.time() < drain_until and loop.time() - last_progress < DRAIN_QUIET_S:
        seen = len(tally.acked) + sum(tally.received.values())
        if seen >= len(tally.sent) + expected:
            break
        if seen != last_seen:
            last_seen, last_progress = seen, loop.time()
        await asyncio.sleep(0.1)
    elapsed = max(1e-9, loop.time() - begin)
    timings["client_cpu_percent"] = 100 * (time.process_time() - cpu_before) / elapsed
    timings["machine_cpu_percent"] = 100 * (_ws.machine_cpu_seconds() - machine_before) / elapsed
    timings["server_cpu_s"] = _ws.process_cpu_seconds(server_pid) - server_before
    timings["server_cpu_percent"] = 100 * timings["server_cpu_s"] / elapsed
    for s in sockets:
        s.closing = True
    await asyncio.gather(*[s.socket.close() for s in sockets], return_exceptions=True)
    for task in receivers:
        task.cancel()
    await asyncio.gather(*receivers, return_exceptions=True)
    return tally, sockets, timings


def _run(groups: list[list[tuple[str, dict[str, str]]]], origin: str, server_pid: int) -> Any:
    coroutine = run_crowd(groups, origin, _seconds(), server_pid)
    with contextlib.suppress(ImportError):
        import uvloop

        return uvloop.run(coroutine)
    return asyncio.run(coroutine)


def seq_gaps(sockets: list[_Socket], tally: Tally) -> int:
    """Seqs missing from each socket's stream, from the first it read to the last acknowledged in its group."""
    last_acked: dict[int, int] = {}
    for message_id, seq in tally.acked.items():
        if isinstance(seq, int):
            group = tally.group_of[message_id]
            last_acked[group] = max(seq, last_acked.get(group, 0))
    gaps = 0
    for s in sockets:
        if not s.seqs or s.group not in last_acked:
            continue
        first, last = min(s.seqs), max(last_acked[s.group], max(s.seqs))
        gaps += (last - first + 1) - len(set(s.seqs))
    return gaps


def _quantiles(samples: list[float]) -> dict[str, float | None]:
    if len(samples) < 2:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "p50": round(cuts[49], 1),
        "p95": round(cuts[94], 1),
        "p99": round(cuts[98], 1),
        "max": round(max(samples), 1),
    }


def figures(tally: Tally, sockets: list[_Socket], timings: dict[str, float], seconds: float) -> dict[str, Any]:
    expected = len(tally.acked) * SIZE
    received = sum(count for message_id, count in tally.received.items() if message_id in tally.acked)
    out: dict[str, Any] = {
        "groups": GROUPS,
        "sockets": len(sockets),
        "seconds": seconds,
        "sent": len(tally.sent),
        "acked": len(tally.acked),
        "unacked": len(tally.sent) - len(tally.acked),
        "expected": expected,
        "received": received,
        "lost": expected - received,
        "duplicates": tally.duplicates,
        "seq_gaps": seq_gaps(sockets, tally),
        "samples": len(tally.samples),
        **_quantiles(tally.samples),
        "p99_last": _quantiles(list(tally.last.values()))["p99"],
        "connect_s": round(timings["connect_s"], 1),
        "cores": os.cpu_count(),
        "server_cpu_percent": round(timings.get("server_cpu_percent", 0.0)),
        "server_cpu_ms_per_message": round(1000 * timings.get("server_cpu_s", 0.0) / max(1, len(tally.sent)), 2),
        "client_cpu_percent": round(timings.get("client_cpu_percent", 0.0)),
        "machine_cpu_percent": round(timings.get("machine_cpu_percent", 0.0)),
    }
    for name in ("errors", "closed", "connect_failures"):
        if getattr(tally, name):
            out[name] = getattr(tally, name)
    if tally.strays:
        out["strays"] = tally.strays
    return out


# Runs --------------------------------------------------------------------------------------------


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_echo() -> dict[str, Any]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench._ws", "echo", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, server)
        groups: list[list[tuple[str, dict[str, str]]]] = [
            [(f"ws://127.0.0.1:{port}/groups/{g}/", {}) for _ in range(SIZE)] for g in range(GROUPS)
        ]
        tally, sockets, timings = _run(groups, f"http://127.0.0.1:{port}", server.pid)
    finally:
        _stop(server)
    out = figures(tally, sockets, timings, _seconds())
    out.pop("seq_gaps")  # the echo server numbers nothing
    return {"bench": "groups.echo_p99", "value": out["p99"], "unit": "ms", **_context(out)}


def _postgres(action: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
            if action == "create":
                conn.execute(f"CREATE DATABASE {PG_NAME}")
        return True
    except Exception:
        return False


def _redis_ready() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).flushdb()
        return True
    except Exception:
        return False


def run_fanout(database: str, echo: dict[str, Any] | None) -> list[dict[str, Any]]:
    database_url = redis_url = None
    if database == "postgresql":
        with_redis = REDIS_URL != "none"
        if (with_redis and not _redis_ready()) or not _postgres("create"):
            skipped = {"database": database, "skipped": "no PostgreSQL or no Redis"}
            return [
                {"bench": "groups.fanout_p99", "value": None, "unit": "ms", "budget": BUDGET_MS, **skipped},
                {"bench": "groups.lost", "value": None, "unit": "deliveries", "budget": 0, **skipped},
            ]
        database_url = f"postgres://postgres@127.0.0.1:5432/{PG_NAME}"
        redis_url = REDIS_URL if with_redis else None
    port = _free_port()
    try:
        with tempfile.TemporaryDirectory(prefix="alongside-groupbench-") as data_dir:
            env = _env(data_dir, database_url, port)
            if redis_url:
                env["REDIS_URL"] = redis_url
            _ws.note(f"{database}: migrating")
            subprocess.run([ALONGSIDE, "migrate", "--noinput"], env=env, cwd=ROOT, check=True, capture_output=True)
            _ws.note(f"{database}: making {GROUPS} groups of {SIZE}")
            made = subprocess.run(
                [sys.executable, "-m", "bench.groups", "--prepare", str(GROUPS), str(SIZE)],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            setup = json.loads(made.stdout.strip().splitlines()[-1])
            _ws.note(f"{database}: serving")
            log_path = Path(data_dir) / "serve.log"  # a file, not a pipe: a full pipe would stall the server
            with log_path.open("wb") as log:
                server = subprocess.Popen(
                    (
                        [sys.executable, "-m", "cProfile", "-o", "/tmp/groupbench/serve.prof", ALONGSIDE]
                        if os.environ.get("GB_PROFILE")
                        else [ALONGSIDE]
                    )
                    + ["serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            try:
                _wait_for_port(port, server)
                base = f"ws://127.0.0.1:{port}"
                groups = [
                    [(f"{base}/ws/threads/{thread_id}/", {"Cookie": f"{setup['cookie']}={key}"}) for key in keys]
                    for thread_id, keys in setup["groups"]
                ]
                tally, sockets, timings = _run(groups, f"http://127.0.0.1:{port}", server.pid)
            finally:
                _stop(server)
                server_said = log_path.read_text("utf-8", "replace").strip().splitlines()
    finally:
        if database == "postgresql":
            _postgres("drop")
    out = figures(tally, sockets, timings, _seconds())
    out["database"] = database
    out["channel_layer"] = "redis" if redis_url else "in-process"
    if echo is not None and echo.get("value") and out["p99"] is not None:
        out["echo_p99"] = echo["value"]
        out["ratio"] = round(out["p99"] / echo["value"], 1)
    if tally.connect_failures:
        out["p99"] = out["lost"] = None
        out["server_log_tail"] = server_said[-3:]
    context = _context(out)
    return [
        {"bench": "groups.fanout_p99", "value": out["p99"], "unit": "ms", "budget": BUDGET_MS, **context},
        {"bench": "groups.lost", "value": out["lost"], "unit": "deliveries", "budget": 0, **context},
    ]


def main(names: list[str] | None = None) -> None:
    args = list(names or [])
    if args[:1] == ["--prepare"]:
        print(json.dumps(prepare(int(args[1]), int(args[2]))), flush=True)
        return
    _ws.raise_open_files_limit()
    echo: dict[str, Any] | None = None
    for name in args or ["echo", "sqlite", "postgresql"]:
        if name == "echo":
            echo = run_echo()
            print(json.dumps(echo), flush=True)
        else:
            for line in run_fanout(name, echo):
                print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
