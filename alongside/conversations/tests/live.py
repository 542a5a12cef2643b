"""Real server processes for the multi-process and fault tests, and a client that behaves like static/js/chat.js.

``ChatSite`` owns a database of its own (a SQLite file in a temporary data directory, or a
fresh PostgreSQL database), migrates it, makes a member and a supporter in a connection with
its thread, signs both in, and starts ``manage.py serve --no-worker`` processes on free ports.
Nothing is shared with pytest-django's test database.

``Peer`` is one person's chat client: an outbox of unacknowledged messages (with their
idempotency keys) resent after every ``resume``, messages kept by seq, reconnecting whenever
its socket drops. Sockets can be cut (``drop()``) to simulate a lost network.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.typing import Origin

ROOT = Path(__file__).resolve().parents[3]
HOST = "127.0.0.1"

SETUP = """
import json
from django.conf import settings
from django.test import Client
from alongside.connections.tests import factories as cf
from alongside.conversations.services import get_or_create_thread_for_connection
from tests import factories

member = factories.member(display_name="Alice")
supporter = factories.supporter(display_name="Bob")
thread = get_or_create_thread_for_connection(connection=cf.connection(member, supporter))
cookies = {}
for name, user in (("member", member), ("supporter", supporter)):
    client = Client()
    client.force_login(user)
    cookies[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
print("SETUP " + json.dumps({"thread": thread.pk, "cookies": cookies, "cookie_name": settings.SESSION_COOKIE_NAME}))
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path


@dataclass
class ChatSite:
    data_dir: Path
    database_url: str = ""
    """A PostgreSQL server URL (its database name is replaced by a fresh one); empty for a SQLite file."""
    redis_url: str = ""
    env: dict[str, str] = field(default_factory=dict)
    thread_id: int = 0
    cookies: dict[str, str] = field(default_factory=dict)
    cookie_name: str = "sessionid"
    servers: list[Server] = field(default_factory=list)
    _pg_name: str = ""

    def setup(self) -> ChatSite:
        from alongside.lib import crypto

        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.pop("PYTEST_CURRENT_TEST", None)
        env.update(
            {
                "ALONGSIDE_DATA_DIR": str(self.data_dir),
                "ALONGSIDE_SECRET_KEY": secrets.token_urlsafe(50),
                "ALONGSIDE_ENCRYPTION_KEYS": crypto.generate_key("live"),
                "ALONGSIDE_TESTING": "true",  # tasks run inline: no worker process needed
                "ALONGSIDE_LOG_LEVEL": "WARNING",
                "DJANGO_SETTINGS_MODULE": "alongside.settings",
            }
        )
        if self.database_url:
            self._pg_name = f"alongside_live_{os.getpid()}_{secrets.token_hex(4)}"
            self._admin_sql(f'CREATE DATABASE "{self._pg_name}"')
            env["DATABASE_URL"] = _with_database(self.database_url, self._pg_name)
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        self.env = env
        self._manage("migrate", "--noinput")
        out = self._manage("shell", "-c", SETUP)
        line = next(x for x in out.splitlines() if x.startswith("SETUP "))
        made = json.loads(line[len("SETUP ") :])
        self.thread_id, self.cookies, self.cookie_name = made["thread"], made["cookies"], made["cookie_name"]
        return self

    def _admin_sql(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def _manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self, port: int | None = None) -> Server:
        port = port or free_port()
        log = self.data_dir / f"server-{port}-{len(self.servers)}.log"
        with log.open("wb") as handle:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "serve", "--no-worker", "--host", HOST, "--port", str(port)],
                cwd=ROOT,
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        server = Server(port, process, log)
        self.servers.append(server)
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server on {port} exited:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return server
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server on {port} did not start:\n{log.read_text()}")
            time.sleep(0.1)

    def kill(self, server: Server, sig: int = signal.SIGKILL) -> None:
        if server.process.poll() is None:
            server.process.send_signal(sig)
            server.process.wait(timeout=20)

    def close(self) -> None:
        for server in self.servers:
            with contextlib.suppress(Exception):
                self.kill(server, signal.SIGTERM)
        if self._pg_name:
            with contextlib.suppress(Exception):
                self._admin_sql(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')

    def stored_count(self) -> int:
        out = self._manage(
            "shell", "-c", "from alongside.conversations.models import Message; print('COUNT', Message.objects.count())"
        )
        return int(next(x for x in out.splitlines() if x.startswith("COUNT ")).split()[1])


class Peer:
    """One person's client. ``port`` says which server it (re)connects to; change it to move the client."""

    def __init__(self, site: ChatSite, who: str, port: int) -> None:
        self.site, self.who, self.port = site, who, port
        self.received: dict[int, dict[str, Any]] = {}
        self.last = 0  # every seq up to here has been received
        self.outbox: list[tuple[str, str]] = []
        self.acked: dict[str, int] = {}
        self.ws: ClientConnection | None = None
        self.ready = asyncio.Event()
        self.connects = 0
        self.errors: list[dict[str, Any]] = []
        self._task: asyncio.Task[None] | None = None
        self._stop = False
        self._changed = asyncio.Event()
        self._resending: asyncio.Future[None] | None = None

    # --- lifetime ---

    def start(self) -> Peer:
        self._task = asyncio.create_task(self._run())
        return self

    async def stop(self) -> None:
        self._stop = True
        await self.drop()
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def drop(self) -> None:
        """Cut the socket without a closing handshake, as a lost network would."""
        ws = self.ws
        if ws is not None:
            ws.transport.abort()

    async def _run(self) -> None:
        while not self._stop:
            url = f"ws://{HOST}:{self.port}/ws/threads/{self.site.thread_id}/"
            try:
                async with connect(
                    url,
                    origin=Origin(f"http://{HOST}:{self.port}"),
                    additional_headers={"Cookie": f"{self.site.cookie_name}={self.site.cookies[self.who]}"},
                    open_timeout=3,
                    ping_interval=None,
                ) as ws:
                    self.ws = ws
                    self.connects += 1
                    async for raw in ws:
                        await self._on_frame(ws, json.loads(raw))
            except (OSError, ConnectionClosed, InvalidHandshake, InvalidStatus, TimeoutError):
                pass
            finally:
                self.ws = None
                self.ready.clear()
            await asyncio.sleep(0.1)

    # --- frames ---

    async def _on_frame(self, ws: ClientConnection, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "hello":
            await ws.send(json.dumps({"type": "resume", "after": self.last}))
        elif kind == "resumed":
            self.ready.set()
            for key, body in list(self.outbox):
                await ws.send(json.dumps({"type": "send", "key": key, "body": body}))
        elif kind == "message":
            self.received.setdefault(frame["seq"], frame)
            while self.last + 1 in self.received:
                self.last += 1
            if frame.get("mine") and frame.get("key"):
                self._acknowledge(frame["key"], frame["seq"])
            if frame["seq"] > self.last + 1:  # a gap: ask for what is missing
                await ws.send(json.dumps({"type": "resume", "after": self.last}))
        elif kind == "ack":
            self._acknowledge(frame["key"], frame["seq"])
        elif kind == "error":
            self.errors.append(frame)
            if frame.get("error") in ("rate_limited", "not_stored") and frame.get("key"):
                asyncio.get_running_loop().call_later(float(frame.get("retry_after", 1)), self._resend)
        self._changed.set()

    def _acknowledge(self, key: str, seq: int) -> None:
        self.acked[key] = seq
        self.outbox = [(k, b) for k, b in self.outbox if k != key]

    def _resend(self) -> None:
        ws = self.ws
        if ws is None or not self.ready.is_set():
            return
        frames = [json.dumps({"type": "send", "key": key, "body": body}) for key, body in self.outbox]
        self._resending = asyncio.ensure_future(self._send_all(ws, frames))

    @staticmethod
    async def _send_all(ws: ClientConnection, frames: list[str]) -> None:
        with contextlib.suppress(ConnectionClosed):
            for frame in frames:
                await ws.send(frame)

    # --- what a test does ---

    async def send(self, key: str, body: str) -> None:
        """Queue a message; it goes now if the socket is ready, or after the next resume."""
        self.outbox.append((key, body))
        ws = self.ws
        if ws is not None and self.ready.is_set():
            with contextlib.suppress(ConnectionClosed):
                await ws.send(json.dumps({"type": "send", "key": key, "body": body}))

    async def wait_for(self, condition: Any, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.who}: still waiting (last={self.last}, outbox={len(self.outbox)})")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))

    def bodies(self) -> list[str]:
        """Bodies in seq order, from 1 to the last contiguous seq."""
        return [self.received[seq]["body"] for seq in range(1, self.last + 1)]
