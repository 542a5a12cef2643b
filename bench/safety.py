"""Raising a concern: `safety.alert_p99`, from the raise to the on-call coordinator's open page alerted, and
`safety.alert_after_restart_s`, a concern raised while the task worker is stopped, alerted once it is started.

Method
------
The server: a fresh data directory, `alongside migrate`, then (in a Django subprocess, no sign-ins) one coordinator
on call (a primary place on an on-call shift covering the run), 3 more coordinators and 10 supporters (all with a
TOTP authenticator, as their roles need), one session per account made with `SessionStore` (its key is the client's
session cookie), and one ended phone contact record per raise for the raising supporter (a concern raised twice
from one place within a minute is the same concern, so every raise comes from a place of its own).

The clients (all in this process, one clock): the notifications sockets (`ws/notifications/`, which every page of a
signed-in person holds) of the coordinator on call, the 3 other coordinators and the 10 supporters, open before the
first raise. A raise is an HTTP POST of the "Raise a concern" form (`/concerns/raise/contact/<pk>/`, level imminent,
one action, a short note, with the CSRF cookie and token): the real form, its view, `raise_concern` and the task
queue. A sample is the time from just before the POST is written to the moment the on-call coordinator's socket
reads the frame that says they were alerted: the `safety_alert` frame (the live banner every page of a coordinator
shows, sent over the notifications socket by the first alert step) for a concern it has not seen before.

`safety.alert_p99`: `alongside serve` with the task worker in the same process (as `make run`), SQLite, the
in-process channel layer; 30 raises (`SAFETY_BENCH_RAISES`) 3 s apart (`SAFETY_BENCH_GAP_S`): a concern comes
after a quiet spell, so each raise finds the worker polling the SQLite queue at its slowest (every 0.5 s). `cpu_ms_per_raise`: the server process's
user + system CPU over the raises (from /proc; it includes the worker's alert task), divided by the raises.
`echo_p99`/`echo_p50`: the bare `websockets` echo server of bench/_ws.py, one sender and one listener, as many
rounds, in the same run: the ceiling for one frame to one socket on this machine now. Budget 1,000 ms.

`safety.alert_after_restart_s`: Redis (`SAFETY_BENCH_REDIS_URL`, default redis://127.0.0.1:6379/4, flushed first)
carries the task queue and the channel layer, so a separate worker can reach the server's sockets. `alongside serve
--no-worker`, no worker running; the coordinator's socket opens; one raise; the worker stays down for 20 s
(`SAFETY_BENCH_DOWN_S`, the test's own choice); then `alongside run_huey` starts. The value is the time from the
raise's POST to the coordinator's socket alerted, in seconds, with `worker_down_s` and `after_worker_start_s` (the
worker's start-up included) beside it. Budget 60 s from the raise.

    python -m bench.safety                  # both
    python -m bench.safety p99              # just that
    python -m bench.safety restart
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
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
from bench.talknow import CSRF_SECRET, _echo_samples, _prepare, _quantiles, _run_with_uvloop

RAISES = int(os.environ.get("SAFETY_BENCH_RAISES", "30"))
GAP_S = float(os.environ.get("SAFETY_BENCH_GAP_S", "3"))  # long enough for an idle worker's polling to slow fully
BUDGET_MS = 1000.0
RESTART_BUDGET_S = 60.0
DOWN_S = float(os.environ.get("SAFETY_BENCH_DOWN_S", "20"))
REDIS_URL = os.environ.get("SAFETY_BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
OTHER_COORDINATORS = 3
SUPPORTERS = 10
WAIT_FOR_ALERT_S = 10.0
ALERT_FRAME = "safety_alert"  # the live banner (safety.live), one per concern and coordinator alerted


# Set-up, run inside a Django process ------------------------------------------------------------


def prepare(raises: int) -> dict[str, Any]:
    """The coordinator on call, other coordinators and supporters, their sessions, and a contact per raise."""
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
    from alongside.roster.models import ContactFormat, ContactRecord, Role, Rota, Shift, ShiftPlace
    from alongside.supporters.models import SupporterProfile

    at = now()
    password = make_password(secrets.token_urlsafe(24))
    backend = "allauth.account.auth_backends.AuthenticationBackend"
    with transaction.atomic():
        coordinators = User.objects.bulk_create(
            [
                User(email=f"safetybench-c{i}@bench.invalid", password=password, is_coordinator=True)
                for i in range(1 + OTHER_COORDINATORS)
            ]
        )
        supporters = User.objects.bulk_create(
            [
                User(email=f"safetybench-s{i}@bench.invalid", password=password, is_supporter=True)
                for i in range(SUPPORTERS)
            ]
        )
        staff = [*coordinators, *supporters]
        Profile.objects.bulk_create(
            [Profile(user=user, display_name=f"Safety bench {i}", completed_at=at) for i, user in enumerate(staff)]
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
        SupporterProfile.objects.bulk_create([SupporterProfile(user=user, formats=["chat"]) for user in supporters])
        shift = Shift.objects.create(
            rota=Rota.ON_CALL, starts_at=at - dt.timedelta(hours=1), ends_at=at + dt.timedelta(hours=6)
        )
        ShiftPlace.objects.create(shift=shift, supporter=coordinators[0], role=Role.PRIMARY)
        raiser = supporters[0]
        contacts = ContactRecord.objects.bulk_create(
            [
                ContactRecord(
                    supporter=raiser,
                    format=ContactFormat.PHONE,
                    started_at=at - dt.timedelta(minutes=20),
                    ended_at=at - dt.timedelta(minutes=5),
                    minutes=15,
                )
                for _ in range(raises)
            ]
        )
        store = SessionStore()
        session_hash = staff[0].get_session_auth_hash()  # one password hash for all, so one session hash
        expires = at + dt.timedelta(days=1)
        keys: dict[int, str] = {}
        sessions = []
        for user in staff:
            data = {
                "_auth_user_id": str(user.pk),
                "_auth_user_backend": backend,
                "_auth_user_hash": session_hash,
                "account_authentication_methods": [
                    {"method": "password", "at": at.timestamp(), "email": user.email},
                    {"method": "mfa", "at": at.timestamp(), "type": "totp"},
                ],
            }
            keys[user.pk] = secrets.token_hex(16)
            sessions.append(Session(session_key=keys[user.pk], session_data=store.encode(data), expire_date=expires))
        Session.objects.bulk_create(sessions)
    return {
        "cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "on_call": keys[coordinators[0].pk],
        "others": [keys[user.pk] for user in staff[1:]],
        "raiser": keys[raiser.pk],
        "contacts": [contact.pk for contact in contacts],
    }


# The clients -------------------------------------------------------------------------------------


def _is_alert(frame: Any, seen: set[int]) -> bool:
    """The frame that says the coordinator was alerted about a concern not seen before (see ALERT_FRAME)."""
    return isinstance(frame, dict) and frame.get("type") == ALERT_FRAME and int(frame.get("concern", 0)) not in seen


class _Watch:
    """The on-call coordinator's socket: when each alert frame arrived."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.alerts: list[int] = []  # perf_counter_ns of each alert frame, in order

    async def read(self, socket: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in socket:
                at = time.perf_counter_ns()
                with contextlib.suppress(ValueError, TypeError):
                    frame = json.loads(raw)
                    if _is_alert(frame, self.seen):
                        self.seen.add(int(frame["concern"]))
                        self.alerts.append(at)

    async def wait_for(self, count: int, seconds: float) -> int | None:
        deadline = asyncio.get_running_loop().time() + seconds
        while len(self.alerts) < count and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.002)
        return self.alerts[count - 1] if len(self.alerts) >= count else None


async def _open(base: str, setup: dict[str, Any], key: str) -> ClientConnection:
    return await connect(
        f"{base.replace('http://', 'ws://')}/ws/notifications/",
        origin=Origin(base),
        additional_headers={"Cookie": f"{setup['cookie']}={key}"},
        proxy=None,
        open_timeout=60,
        ping_interval=None,
    )


async def _raise(client: httpx.AsyncClient, contact_id: int) -> bool:
    response = await client.post(
        f"/concerns/raise/contact/{contact_id}/",
        data={"csrfmiddlewaretoken": CSRF_SECRET, "level": "imminent", "actions": "crisis_line", "note": "bench"},
    )
    return (
        response.status_code == 302 and re.match(r"^/concerns/\d+/raised/$", response.headers["location"]) is not None
    )


def _client(base: str, setup: dict[str, Any]) -> httpx.AsyncClient:
    cookies = {setup["cookie"]: setup["raiser"], setup["csrf_cookie"]: CSRF_SECRET}
    return httpx.AsyncClient(base_url=base, cookies=cookies, timeout=30)


async def _alert_samples(base: str, setup: dict[str, Any], server_pid: int) -> dict[str, Any]:
    watch = _Watch()
    on_call = await _open(base, setup, setup["on_call"])
    others = [await _open(base, setup, key) for key in setup["others"]]
    reader = asyncio.create_task(watch.read(on_call))
    await asyncio.sleep(0.5)  # the sockets' first frames (the unread count, 0)
    samples: list[float] = []
    failures = 0
    cpu_before = _ws.process_cpu_seconds(server_pid)
    try:
        async with _client(base, setup) as client:
            for n, contact_id in enumerate(setup["contacts"], start=1):
                started = time.perf_counter_ns()
                if not await _raise(client, contact_id):
                    failures += 1
                    continue
                arrived = await watch.wait_for(n - failures, WAIT_FOR_ALERT_S)
                if arrived is not None:
                    samples.append((arrived - started) / 1e6)
                await asyncio.sleep(GAP_S)
        cpu_ms = (_ws.process_cpu_seconds(server_pid) - cpu_before) * 1000
    finally:
        for socket in [on_call, *others]:
            await socket.close()
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
    _ws.note("alert samples (ms): " + " ".join(f"{ms:.0f}" for ms in samples))
    raises = len(setup["contacts"])
    return {
        **_quantiles(samples),
        "samples": len(samples),
        "raises": raises,
        "failed_raises": failures,
        # Includes the GAP_S idle seconds between raises (the sockets' idle cost is small).
        "cpu_ms_per_raise": round(cpu_ms / max(1, raises), 1),
        "sockets": 1 + len(others),
    }


async def _restart_sample(base: str, setup: dict[str, Any], start_worker: Any) -> dict[str, Any]:
    watch = _Watch()
    on_call = await _open(base, setup, setup["on_call"])
    reader = asyncio.create_task(watch.read(on_call))
    await asyncio.sleep(0.5)
    try:
        async with _client(base, setup) as client:
            started = time.perf_counter_ns()
            raised = await _raise(client, setup["contacts"][0])
        await asyncio.sleep(DOWN_S)
        alerted_early = bool(watch.alerts)
        worker_at = time.perf_counter_ns()
        start_worker()
        arrived = await watch.wait_for(1, RESTART_BUDGET_S * 2)
    finally:
        await on_call.close()
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
    return {
        "value": round((arrived - started) / 1e9, 2) if arrived is not None and raised else None,
        "worker_down_s": DOWN_S,
        "after_worker_start_s": round((arrived - worker_at) / 1e9, 2) if arrived is not None else None,
        "alerted_while_worker_down": alerted_early,
        "raised": raised,
    }


# Runs --------------------------------------------------------------------------------------------


def run_echo(rounds: int) -> dict[str, Any]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench._ws", "echo", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, server)
        figures = asyncio.run(_echo_samples(port, 1, rounds))
    finally:
        server.terminate()
        server.wait(timeout=10)
    return figures


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_p99(echo: dict[str, Any]) -> dict[str, Any]:
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="alongside-safetybench-") as data_dir:
        env = _env(data_dir, None, port)
        subprocess.run([ALONGSIDE, "migrate", "--noinput"], env=env, cwd=ROOT, check=True, capture_output=True)
        setup = _prepare("bench.safety", [str(RAISES)], env)
        with (Path(data_dir) / "serve.log").open("wb") as log:
            server = subprocess.Popen(
                [ALONGSIDE, "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_for_port(port, server)
            figures = _run_with_uvloop(_alert_samples(f"http://127.0.0.1:{port}", setup, server.pid))
        finally:
            _stop(server)
    figures.update(
        {"echo_p99": echo.get("p99"), "echo_p50": echo.get("p50"), "database": "sqlite", "worker": "in-process"}
    )
    figures["measured_frame"] = ALERT_FRAME
    return {
        "bench": "safety.alert_p99",
        "value": figures["p99"],
        "unit": "ms",
        "budget": BUDGET_MS,
        **_context(figures),
    }


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def run_restart() -> dict[str, Any]:
    port = _free_port()
    _flush_redis(REDIS_URL)
    with tempfile.TemporaryDirectory(prefix="alongside-safetybench-") as data_dir:
        env = {**_env(data_dir, None, port), "REDIS_URL": REDIS_URL}
        subprocess.run([ALONGSIDE, "migrate", "--noinput"], env=env, cwd=ROOT, check=True, capture_output=True)
        setup = _prepare("bench.safety", ["1"], env)
        processes: list[subprocess.Popen[bytes]] = []
        log = (Path(data_dir) / "serve.log").open("wb")
        try:
            server = subprocess.Popen(
                [ALONGSIDE, "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            processes.append(server)
            _wait_for_port(port, server)

            def start_worker() -> None:
                processes.append(
                    subprocess.Popen([ALONGSIDE, "run_huey"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
                )

            figures = _run_with_uvloop(_restart_sample(f"http://127.0.0.1:{port}", setup, start_worker))
        finally:
            for process in reversed(processes):
                _stop(process)
            log.close()
    value = figures.pop("value")
    figures.update({"database": "sqlite", "queue": "redis", "measured_frame": ALERT_FRAME})
    return {
        "bench": "safety.alert_after_restart_s",
        "value": value,
        "unit": "s",
        "budget": RESTART_BUDGET_S,
        **_context(figures),
    }


def main(names: list[str] | None = None) -> None:
    args = list(names or [])
    if args[:1] == ["--prepare"]:
        print(json.dumps(prepare(int(args[1]))), flush=True)
        return
    _ws.raise_open_files_limit()
    wanted = args or ["p99", "restart"]
    if "p99" in wanted:
        echo = run_echo(RAISES)
        print(json.dumps(run_p99(echo)), flush=True)
    if "restart" in wanted:
        print(json.dumps(run_restart()), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
