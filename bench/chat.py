"""Chat delivery under load: `chat.echo_p99`, then `chat.p99` and `chat.lost` on SQLite and PostgreSQL.

Method
------
The load: 1,000 websocket clients (the `websockets` library, asyncio with uvloop, all in this
process) in 500 pairs, each pair the two people of one active connection in their thread.
Every client sends a message every 5 s on average, with exponential gaps (a Poisson stream
of about 200 messages a second in all), for 5 s of warm-up and 30 s of measurement, then
waits for what is still on its way (while anything still arrives, up to 90 s; it stops once
nothing has arrived for 5 s). Clients do not reconnect. Each also sends {"type": "ping"}
every 25 s, as the page does. Each body carries a unique id and the send time
(`bench <client>-<n> <perf_counter_ns>`), and the id is also the idempotency key.

- Latency: from just before the client writes its `send` frame to the moment the *other*
  client of the pair reads the broadcast `message` frame. Messages sent during the warm-up
  are not timed. Sender and receiver share this process, hence one clock.
- Lost: messages acknowledged to the sender (`ack`) and not delivered to the other client by
  the end of the wait: dropped broadcasts, and messages for a socket the server closed (a real
  page would reconnect and resume; the bench counts them, so that such closes show).
  `unacked` (sent, never acknowledged) and `duplicates` are reported beside it and should be 0;
  `closed` counts sockets the server closed during the run, by close code (1011: uvicorn's
  keepalive ping went unanswered for 20 s, i.e. the socket's frames were not being read).

The ceiling, `chat.echo_p99`: the same crowd against a bare `websockets` server in its own
process that sends every frame back to every socket on the same path (the sender, as its
"ack", and the other client of the pair), measured in the same run on the same machine.

The server: a fresh data directory, `alongside migrate`, then (in a Django subprocess, no
sign-ins: allauth's rate limits would refuse 1,000 of them) 1,000 accounts sharing one password
hash, 500 members and 500 supporters (with a TOTP authenticator, as their role needs), 500
active connections with their threads and thread members, and one session per account made
with `SessionStore`, whose key the client sends as its session cookie (with an `Origin` header
of the site). Then `alongside serve --no-worker`: one uvicorn process, DEBUG off, log level
WARNING, the in-process channel layer. On PostgreSQL (when 127.0.0.1:5432 answers) the same
runs in a database `alongside_chatbench`, made for the run and dropped after it.

Every line also says the load average and, over the sending and draining, CPU use in percent
of one core: the server's process, this process (the clients), and the whole machine
(`machine_cpu_percent`, out of 100 x `cores`); and the server's CPU time per message sent
(`server_cpu_ms_per_message`, which crowding changes little: the figure to compare versions
by). The clients share the machine with the server, and so does anything else running: when
the machine is near 100 x `cores`, the tail latencies (of the echo server too) measure the
crowding as much as the code. Compare with `chat.echo_p99`.

    python -m bench.chat                   # echo, SQLite, PostgreSQL (if it answers)
    python -m bench.chat echo sqlite       # just those
    CHAT_BENCH_SECONDS=10 python -m bench.chat sqlite   # a shorter run while working on it
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import _ws

ROOT = Path(__file__).resolve().parent.parent
ALONGSIDE = str(Path(sys.executable).parent / "alongside")
CLIENTS = 1000
BUDGET_MS = 100.0
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_NAME = "alongside_chatbench"
PG_BENCH = f"postgres://postgres@127.0.0.1:5432/{PG_NAME}"


def _load() -> _ws.Load:
    seconds = float(os.environ.get("CHAT_BENCH_SECONDS", "30"))
    clients = int(os.environ.get("CHAT_BENCH_CLIENTS", str(CLIENTS)))
    return _ws.Load(clients=clients - clients % 2, seconds=seconds)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(data_dir: str, database_url: str | None, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALONGSIDE_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        {
            "ALONGSIDE_DATA_DIR": data_dir,
            "ALONGSIDE_DEBUG": "0",
            "ALONGSIDE_LOG_LEVEL": "WARNING",
            "ALONGSIDE_SITE_URL": f"http://127.0.0.1:{port}",
            "DJANGO_SETTINGS_MODULE": "alongside.settings",
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


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


def _context(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    out = {"load_average": round(os.getloadavg()[0], 2)}
    out.update(extra or {})
    return out


# Set-up, run inside a Django process ------------------------------------------------------------


def prepare(pairs: int) -> dict[str, Any]:
    """Make the accounts, connections, threads and sessions; say the cookie name and, per thread, two keys."""
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
    from alongside.connections.models import Connection, RequestStatus, SupportRequest
    from alongside.conversations.models import Thread, ThreadKind, ThreadMember
    from alongside.lib.time import now
    from alongside.supporters.models import SupporterProfile

    at = now()
    password = make_password(secrets.token_urlsafe(24))
    backend = "allauth.account.auth_backends.AuthenticationBackend"
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(email=f"chatbench{i}@bench.invalid", password=password, is_supporter=bool(i % 2))
                for i in range(2 * pairs)
            ]
        )
        Profile.objects.bulk_create(
            [Profile(user=user, display_name=f"Bench peer {i}", completed_at=at) for i, user in enumerate(users)]
        )
        members, supporters = users[0::2], users[1::2]
        mfa = get_mfa_adapter()
        Authenticator.objects.bulk_create(
            [
                Authenticator(
                    user=user,
                    type=Authenticator.Type.TOTP,
                    data={"secret": mfa.encrypt(secrets.token_hex(20))},
                )
                for user in supporters
            ]
        )
        profiles = SupporterProfile.objects.bulk_create(
            [SupporterProfile(user=user, formats=["chat"], capacity=1) for user in supporters]
        )
        requests = SupportRequest.objects.bulk_create(
            [
                SupportRequest(member=user, status=RequestStatus.MATCHED, formats=["chat"], matched_at=at, closed_at=at)
                for user in members
            ]
        )
        connections = Connection.objects.bulk_create(
            [
                Connection(
                    member=member,
                    supporter=profile,
                    request=request,
                    started_at=at,
                    review_due_at=at + dt.timedelta(days=90),
                    review_due_sessions=6,
                )
                for member, profile, request in zip(members, profiles, requests, strict=True)
            ]
        )
        threads = Thread.objects.bulk_create(
            [Thread(kind=ThreadKind.CONNECTION, connection=connection) for connection in connections]
        )
        ThreadMember.objects.bulk_create(
            [
                ThreadMember(thread=thread, user=user)
                for thread, member, supporter in zip(threads, members, supporters, strict=True)
                for user in (member, supporter)
            ]
        )
        store = SessionStore()
        session_hash = users[0].get_session_auth_hash()  # one password hash for all, so one session hash
        expires = at + dt.timedelta(days=1)
        keys: list[str] = []
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
            keys.append(key)
            sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        Session.objects.bulk_create(sessions)
    return {
        "cookie": settings.SESSION_COOKIE_NAME,
        "threads": [[thread.pk, keys[2 * i], keys[2 * i + 1]] for i, thread in enumerate(threads)],
    }


# Runs --------------------------------------------------------------------------------------------


def _wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("the server did not start")
        time.sleep(0.2)


def _measure(
    process: subprocess.Popen[bytes], peers: list[_ws.Peer], origin: str, load: _ws.Load
) -> tuple[_ws.Tally, dict[str, float]]:
    return _ws.run(peers, origin, load, server_pid=process.pid)


def _figures(tally: _ws.Tally, timings: dict[str, float], load: _ws.Load) -> dict[str, Any]:
    out = _ws.summary(tally, load)
    out.update(
        {
            "clients": load.clients,
            "seconds": load.seconds,
            "connect_s": round(timings["connect_s"], 1),
            "cores": os.cpu_count(),
            "server_cpu_percent": round(timings.get("server_cpu_percent", 0.0)),
            "server_cpu_ms_per_message": round(1000 * timings.get("server_cpu_s", 0.0) / max(1, len(tally.sent)), 2),
            "client_cpu_percent": round(timings.get("client_cpu_percent", 0.0)),
            "machine_cpu_percent": round(timings.get("machine_cpu_percent", 0.0)),
        }
    )
    return out


def run_echo(load: _ws.Load) -> dict[str, Any]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench._ws", "echo", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, server)
        base = f"ws://127.0.0.1:{port}"
        peers = [_ws.Peer(url=f"{base}/threads/{i // 2}/") for i in range(load.clients)]
        tally, timings = _measure(server, peers, f"http://127.0.0.1:{port}", load)
    finally:
        server.terminate()
        server.wait(timeout=10)
    figures = _figures(tally, timings, load)
    if tally.connect_failures:
        figures["connect_failures"] = dict(tally.connect_failures.most_common(3))
    return {"bench": "chat.echo_p99", "value": figures["p99"], "unit": "ms", **_context(figures)}


def run_chat(database: str, load: _ws.Load) -> list[dict[str, Any]]:
    database_url = None
    if database == "postgresql":
        if not _postgres("create"):
            skipped = {"database": database, "skipped": "no PostgreSQL"}
            return [
                {"bench": "chat.p99", "value": None, "unit": "ms", "budget": BUDGET_MS, **skipped},
                {"bench": "chat.lost", "value": None, "unit": "messages", "budget": 0, **skipped},
            ]
        database_url = PG_BENCH
    port = _free_port()
    try:
        with tempfile.TemporaryDirectory(prefix="alongside-chatbench-") as data_dir:
            env = _env(data_dir, database_url, port)
            _ws.note(f"{database}: migrating")
            subprocess.run([ALONGSIDE, "migrate", "--noinput"], env=env, cwd=ROOT, check=True, capture_output=True)
            _ws.note(f"{database}: making {load.clients} accounts")
            made = subprocess.run(
                [sys.executable, "-m", "bench.chat", "--prepare", str(load.clients // 2)],
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
                    [ALONGSIDE, "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            try:
                _wait_for_port(port, server)
                base = f"ws://127.0.0.1:{port}"
                peers = [
                    _ws.Peer(url=f"{base}/ws/threads/{thread_id}/", headers={"Cookie": f"{setup['cookie']}={key}"})
                    for thread_id, *keys in setup["threads"]
                    for key in keys
                ]
                tally, timings = _measure(server, peers, f"http://127.0.0.1:{port}", load)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
                server_said = log_path.read_text("utf-8", "replace").strip().splitlines()
                if os.environ.get("CHAT_BENCH_VERBOSE"):
                    kept = Path(tempfile.gettempdir()) / f"alongside-chatbench-{database}.log"
                    kept.write_text("\n".join(server_said), "utf-8")
                    _ws.note(f"{database}: the server's log is in {kept}")
    finally:
        if database == "postgresql":
            _postgres("drop")
    figures = _figures(tally, timings, load)
    figures["database"] = database
    if tally.connect_failures:
        figures["connect_failures"] = dict(tally.connect_failures.most_common(3))
        figures["p99"] = None
        figures["lost"] = None
        figures["server_log_tail"] = server_said[-3:]
    context = _context(figures)
    return [
        {"bench": "chat.p99", "value": figures["p99"], "unit": "ms", "budget": BUDGET_MS, **context},
        {"bench": "chat.lost", "value": figures["lost"], "unit": "messages", "budget": 0, **context},
    ]


def main(names: list[str] | None = None) -> None:
    args = list(names or [])
    if args[:1] == ["--prepare"]:
        print(json.dumps(prepare(int(args[1]))), flush=True)
        return
    _ws.raise_open_files_limit()
    load = _load()
    for name in args or ["echo", "sqlite", "postgresql"]:
        if name == "echo":
            print(json.dumps(run_echo(load)), flush=True)
        else:
            for line in run_chat(name, load):
                print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
