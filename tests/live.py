"""A real Alongside server for tests that look at it from outside: its log, its files.

``LiveSite`` makes a fresh data directory (SQLite, development mode, as `make run` does), migrates
it, and runs ``alongside serve`` with the in-process task worker and the default INFO log level,
its output (uvicorn's access log, Django's and our own loggers) captured in one file. The only
difference from `make run` is the settings module ``tests.live_settings``, which writes emails to
files instead of printing them, so that a test can follow their links.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"

SETUP_MEMBER = """
from django.conf import settings
from django.test import Client
from tests import factories
member = factories.member(display_name="Lin", email="{email}")
client = Client()
client.force_login(member)
print("COOKIE " + client.cookies[settings.SESSION_COOKIE_NAME].value)
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveSite:
    data_dir: Path
    port: int = 0
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.data_dir.parent / "server.log"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir.parent / "mail"

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def setup(self) -> LiveSite:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ALONGSIDE_", "DATABASE_URL", "REDIS_URL"))}
        env.pop("PYTEST_CURRENT_TEST", None)
        env.update(
            {
                "ALONGSIDE_DATA_DIR": str(self.data_dir),
                "ALONGSIDE_SITE_URL": self.base,
                "ALONGSIDE_LIVE_MAIL_DIR": str(self.mail_dir),
                "DJANGO_SETTINGS_MODULE": "tests.live_settings",
            }
        )
        self.env = env
        self.manage("migrate", "--noinput")
        return self

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            preexec_fn=_usual_umask,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def member_cookie(self, email: str) -> str:
        out = self.manage("shell", "-c", SETUP_MEMBER.format(email=email))
        return next(x for x in out.splitlines() if x.startswith("COOKIE ")).split()[1]

    def start(self) -> LiveSite:
        with self.log.open("wb") as handle:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "serve", "--host", HOST, "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                preexec_fn=_usual_umask,
            )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.log.read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return self
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{self.log.read_text()}")
            time.sleep(0.2)

    def stop(self) -> str:
        """Stop the server and return everything it wrote."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def wait_for_mail(self, pattern: str, *, seen: int = 0, timeout: float = 30) -> re.Match[str]:
        """The first match of ``pattern`` in an email written after the first ``seen`` ones."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            mails = (
                sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime) if self.mail_dir.exists() else []
            )
            for mail in mails[seen:]:
                found = re.search(pattern, mail.read_text(encoding="utf-8", errors="replace"))
                if found:
                    return found
            time.sleep(0.2)
        raise TimeoutError(f"no email matching {pattern!r}")

    def mail_count(self) -> int:
        return len(list(self.mail_dir.glob("*.log"))) if self.mail_dir.exists() else 0


def _usual_umask() -> None:
    """The server runs with the common umask 022, under which files are world-readable unless made otherwise."""
    os.umask(0o022)


def new_secret() -> str:
    return secrets.token_hex(8)
