"""Talk now's offer fan-out: `talknow.notify_p99` on a quiet server and `talknow.notify_loaded_p99` while the chat
benchmark's 1,000 clients run, beside `talknow.echo_p99`, the bare fan-out ceiling measured in the same run.

Method
------
The server: a fresh data directory, `alongside migrate`, then (in a Django subprocess, no sign-ins) 50 supporters
(active, with a TOTP authenticator, as their role needs) holding the 50 primary places of one shift covering the
run, opening hours all day every day, 30 members, and one session per account made with `SessionStore`, whose key
the client sends as its session cookie. Then `alongside serve --no-worker`: one uvicorn process, DEBUG off, log
level WARNING, the in-process channel layer, SQLite.

The clients (all in this process, one clock): the 50 supporters' notifications sockets (`ws/notifications/`, which
every page of a signed-in supporter holds), open before the first request. Then, 30 times, one member presses
Talk now: an HTTP POST of the Talk now form (`/talk-now/`, chat, with the CSRF cookie and token). A sample is the
time from just before the POST is written to the moment the *last* of the 50 sockets has read the `talknow_offer`
frame for that request: every available on-shift supporter's open page notified. `cpu_ms_per_request` (quiet run):
the server process's user + system CPU over the 30 presses (from /proc), divided by 30. `supporters_reached` says how
many of the 50 sockets got each offer (the minimum over the requests; it should be 50). Requests are 0.6 s apart,
each from a different member (a member has one open request at a time).

The ceiling, `talknow.echo_p99`: the bare `websockets` echo server of bench/_ws.py in its own process, 51 sockets
on one path; one of them sends a frame, which the server sends to all 51; the sample is the time until the other
50 have all read it, 30 times, in the same run.

Loaded: the same server also holds the chat benchmark's 1,000 accounts, 500 connections and their threads
(`bench.chat --prepare`), and the chat crowd of bench/_ws.py runs against it (1,000 sockets, a message every 5 s
each); the 30 requests start after its 5 s warm-up, inside its 30 s of measurement.

    python -m bench.talknow                # echo, quiet, loaded (SQLite)
    python -m bench.talknow quiet          # just that
    TALKNOW_BENCH_REQUESTS=10 python -m bench.talknow quiet
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from bench import _ws
from bench.chat import ALONGSIDE, ROOT, _context, _env, _free_port, _wait_for_port

SUPPORTERS = 50
REQUESTS = int(os.environ.get("TALKNOW_BENCH_REQUESTS", "30"))
GAP_S = 0.6
BUDGET_MS = 250.0
LOADED_BUDGET_MS = 1000.0
WAIT_FOR_ALL_S = 5.0
CSRF_SECRET = "talknowbenchcsrfsecret0123456789"  # 32 characters: Django's unmasked form of a CSRF secret


# Set-up, run inside a Django process ------------------------------------------------------------


def prepare(supporters: int, members: int) -> dict[str, Any]:
    """Make the supporters on shift, the members, the hours and the sessions; say the cookie names and keys."""
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
    from alongside.lib.time import now
    from alongside.roster.models import Role, Shift, ShiftPlace
    from alongside.service.models import OpeningHours, ServiceSettings
    from alongside.supporters.models import SupporterProfile

    at = now()
    password = make_password(secrets.token_urlsafe(24))
    backend = "allauth.account.auth_backends.AuthenticationBackend"
    with transaction.atomic():
        ServiceSettings.objects.update_or_create(pk=1, defaults={"offers_talk_now": True})
        OpeningHours.objects.all().delete()
        OpeningHours.objects.bulk_create(
            [OpeningHours(weekday=day, is_open=True, opens=dt.time(0, 0), closes=dt.time(23, 59)) for day in range(7)]
        )
        staff = User.objects.bulk_create(
            [
                User(email=f"talknowbench-s{i}@bench.invalid", password=password, is_supporter=True)
                for i in range(supporters)
            ]
        )
        people = User.objects.bulk_create(
            [User(email=f"talknowbench-m{i}@bench.invalid", password=password) for i in range(members)]
        )
        Profile.objects.bulk_create(
            [
                Profile(user=user, display_name=f"Talk bench {i}", completed_at=at)
                for i, user in enumerate([*staff, *people])
            ]
        )
        mfa = get_mfa_adapter()
        Authenticator.objects.bulk_create(
            [
                Authenticator(
                    user=user, type=Authenticator.Type.TOTP, data={"secret": mfa.encrypt(secrets.token_hex(20))}
                )
                for user in staff
            ]
        )
        SupporterProfile.objects.bulk_create(
            [SupporterProfile(user=user, formats=["chat"], capacity=1) for user in staff]
        )
        shift = Shift.objects.create(
            starts_at=at - dt.timedelta(hours=1), ends_at=at + dt.timedelta(hours=6), primary_places=supporters
        )
        ShiftPlace.objects.bulk_create([ShiftPlace(shift=shift, supporter=user, role=Role.PRIMARY) for user in staff])
        store = SessionStore()
        session_hash = staff[0].get_session_auth_hash()  # one password hash for all, so one session hash
        expires = at + dt.timedelta(days=1)
        keys: dict[int, str] = {}
        sessions = []
        for user in [*staff, *people]:
            methods: list[dict[str, Any]] = [{"method": "password", "at": at.timestamp(), "email": user.email}]
            if user.is_supporter:
                methods.append({"method": "mfa", "at": at.timestamp(), "type": "totp"})
            data = {
                "_auth_user_id": str(user.pk),
                "_auth_user_backend": backend,
                "_auth_user_hash": session_hash,
                "account_authentication_methods": methods,
            }
            keys[user.pk] = secrets.token_hex(16)
            sessions.append(Session(session_key=keys[user.pk], session_data=store.encode(data), expire_date=expires))
        Session.objects.bulk_create(sessions)
    return {
        "cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "supporters": [keys[user.pk] for user in staff],
        "members": [keys[user.pk] for user in people],
    }


# The clients -------------------------------------------------------------------------------------


def _quantiles(samples: list[float]) -> dict[str, float | None]:
    if len(samples) < 2:
        return {"p50": None, "p99": None, "max": None}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": round(cuts[49], 1), "p99": round(cuts[98], 1), "max": round(max(samples), 1)}


async def _read_offers(socket: ClientConnection, arrivals: dict[int, list[int]]) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for raw in socket:
            at = time.perf_counter_ns()
            with contextlib.suppress(ValueError, AttributeError):
                frame = json.loads(raw)
                if frame.get("type") == "talknow_offer":
                    arrivals.setdefault(int(frame["request"]), []).append(at)


async def _notify_samples(base: str, setup: dict[str, Any], requests: int) -> dict[str, Any]:
    """Open the supporters' sockets, press Talk now ``requests`` times, and time each fan-out to the last socket."""
    ws_base = base.replace("http://", "ws://")
    origin = Origin(base)
    sockets = [
        await connect(
            f"{ws_base}/ws/notifications/",
            origin=origin,
            additional_headers={"Cookie": f"{setup['cookie']}={key}"},
            proxy=None,
            open_timeout=60,
            ping_interval=None,
        )
        for key in setup["supporters"]
    ]
    arrivals: dict[int, list[int]] = {}
    readers = [asyncio.create_task(_read_offers(socket, arrivals)) for socket in sockets]
    await asyncio.sleep(0.5)  # the sockets' first frames (the unread count)
    samples: list[float] = []
    reached: list[int] = []
    failures = 0
    loop = asyncio.get_running_loop()
    try:
        for key in setup["members"][:requests]:
            cookies = {setup["cookie"]: key, setup["csrf_cookie"]: CSRF_SECRET}
            async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=30) as client:
                started = time.perf_counter_ns()
                response = await client.post("/talk-now/", data={"csrfmiddlewaretoken": CSRF_SECRET, "medium": "chat"})
                found = re.match(r"^/talk-now/(\d+)/$", response.headers.get("location", ""))
                if response.status_code != 302 or found is None:
                    failures += 1
                    continue
                request_id = int(found.group(1))
                deadline = loop.time() + WAIT_FOR_ALL_S
                while len(arrivals.get(request_id, [])) < len(sockets) and loop.time() < deadline:
                    await asyncio.sleep(0.002)
                got = arrivals.get(request_id, [])
                reached.append(len(got))
                if len(got) == len(sockets):
                    samples.append((max(got) - started) / 1e6)
            await asyncio.sleep(GAP_S)
    finally:
        for socket in sockets:
            await socket.close()
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
    _ws.note("notify samples (ms): " + " ".join(f"{ms:.0f}" for ms in samples))
    return {
        **_quantiles(samples),
        "samples": len(samples),
        "requests": requests,
        "failed_requests": failures,
        "supporters": len(sockets),
        "supporters_reached": min(reached) if reached else 0,
    }


async def _echo_samples(port: int, listeners: int, rounds: int) -> dict[str, Any]:
    url = f"ws://127.0.0.1:{port}/room/"
    sockets = [
        await connect(url, origin=Origin(f"http://127.0.0.1:{port}"), proxy=None, ping_interval=None)
        for _ in range(listeners + 1)
    ]
    sender, others = sockets[0], sockets[1:]
    samples: list[float] = []
    try:
        for n in range(rounds):
            frame = json.dumps({"type": "fanout", "n": n})
            started = time.perf_counter_ns()
            await sender.send(frame)
            await asyncio.gather(*[_until(other, frame) for other in others])
            await _until(sender, frame)
            samples.append((time.perf_counter_ns() - started) / 1e6)
            await asyncio.sleep(0.05)
    finally:
        for socket in sockets:
            await socket.close()
    return {**_quantiles(samples), "samples": len(samples), "listeners": listeners}


async def _until(socket: ClientConnection, frame: str) -> None:
    while await socket.recv() != frame:
        pass


# Runs --------------------------------------------------------------------------------------------


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
        figures = asyncio.run(_echo_samples(port, SUPPORTERS, REQUESTS))
    finally:
        server.terminate()
        server.wait(timeout=10)
    return figures


def _prepare(module: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    made = subprocess.run(
        [sys.executable, "-m", module, "--prepare", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(made.stdout.strip().splitlines()[-1]))


def run_notify(*, loaded: bool, echo: dict[str, Any]) -> dict[str, Any]:
    port = _free_port()
    load = _ws.Load(clients=int(os.environ.get("CHAT_BENCH_CLIENTS", "1000")), seconds=30.0)
    with tempfile.TemporaryDirectory(prefix="alongside-talknowbench-") as data_dir:
        env = _env(data_dir, None, port)
        subprocess.run([ALONGSIDE, "migrate", "--noinput"], env=env, cwd=ROOT, check=True, capture_output=True)
        setup = _prepare("bench.talknow", [str(SUPPORTERS), str(REQUESTS)], env)
        chat = _prepare("bench.chat", [str(load.clients // 2)], env) if loaded else None
        log_path = Path(data_dir) / "serve.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [ALONGSIDE, "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_for_port(port, server)
            base = f"http://127.0.0.1:{port}"
            figures = _run_with_uvloop(_measure(base, setup, chat, load, server.pid))
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    name, budget = ("talknow.notify_loaded_p99", LOADED_BUDGET_MS) if loaded else ("talknow.notify_p99", BUDGET_MS)
    figures["echo_p99"] = echo.get("p99")
    figures["echo_p50"] = echo.get("p50")
    figures["database"] = "sqlite"
    return {"bench": name, "value": figures["p99"], "unit": "ms", "budget": budget, **_context(figures)}


def _run_with_uvloop(coroutine: Any) -> dict[str, Any]:
    with contextlib.suppress(ImportError):
        import uvloop

        return dict(uvloop.run(coroutine))
    return dict(asyncio.run(coroutine))


async def _measure(
    base: str, setup: dict[str, Any], chat: dict[str, Any] | None, load: _ws.Load, server_pid: int
) -> dict[str, Any]:
    if chat is None:
        cpu_before = _ws.process_cpu_seconds(server_pid)
        figures = await _notify_samples(base, setup, REQUESTS)
        # The server's CPU for each press: the POST, the offers written, 50 frames sent (and the idle sockets).
        figures["cpu_ms_per_request"] = round((_ws.process_cpu_seconds(server_pid) - cpu_before) * 1000 / REQUESTS, 1)
        return figures
    ws_base = base.replace("http://", "ws://")
    peers = [
        _ws.Peer(url=f"{ws_base}/ws/threads/{thread_id}/", headers={"Cookie": f"{chat['cookie']}={key}"})
        for thread_id, *keys in chat["threads"]
        for key in keys
    ]
    sending = asyncio.Event()
    crowd = asyncio.create_task(_ws.run_crowd(peers, base, load, server_pid=server_pid, sending=sending))
    started = asyncio.create_task(sending.wait())
    await asyncio.wait({crowd, started}, return_when=asyncio.FIRST_COMPLETED)
    if not sending.is_set():
        tally, _timings = await crowd
        return {"p50": None, "p99": None, "chat_connect_failures": dict(tally.connect_failures.most_common(3))}
    await asyncio.sleep(load.warmup)
    figures = await _notify_samples(base, setup, REQUESTS)
    tally, timings = await crowd
    chat_figures = _ws.summary(tally, load)
    figures.update(
        {
            "chat_clients": load.clients,
            "chat_p99": chat_figures["p99"],
            "chat_lost": chat_figures["lost"],
            "chat_rate_per_s": chat_figures["rate_per_s"],
            "machine_cpu_percent": round(timings.get("machine_cpu_percent", 0.0)),
            "cores": os.cpu_count(),
        }
    )
    return figures


def main(names: list[str] | None = None) -> None:
    args = list(names or [])
    if args[:1] == ["--prepare"]:
        print(json.dumps(prepare(int(args[1]), int(args[2]))), flush=True)
        return
    _ws.raise_open_files_limit()
    wanted = args or ["quiet", "loaded"]
    echo = run_echo()
    print(json.dumps({"bench": "talknow.echo_p99", "value": echo["p99"], "unit": "ms", **_context(echo)}), flush=True)
    for name in wanted:
        if name in ("quiet", "loaded"):
            print(json.dumps(run_notify(loaded=name == "loaded", echo=echo)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
