"""Serve Alongside over ASGI with uvicorn, with the task worker in the same process.

This is the single-machine default. In production run the worker on its own
(`alongside run_huey`) and start this command with --no-worker.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import socket
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY


def port_taken(host: str, port: int) -> bool:
    """Whether something already listens on ``host:port`` (most often: Alongside, started earlier)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: a closing socket is no obstacle
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def follow_address(host: str, port: int) -> str:
    """The site URL (emails, printed links, trusted origins) follows where the server listens.

    ``ALONGSIDE_SITE_URL`` wins when it is set (behind a proxy the public address is another one). Otherwise the
    address is ``http://HOST:PORT``, with 127.0.0.1 for a wildcard host, and it is put into the environment too,
    so that uvicorn's worker processes, which read the settings again, agree.
    """
    if os.environ.get("ALONGSIDE_SITE_URL"):
        return str(settings.SITE_URL)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - a comparison, not a bind
    url = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
    os.environ["ALONGSIDE_SITE_URL"] = url
    settings.SITE_URL = url
    if not os.environ.get("ALONGSIDE_CSRF_TRUSTED_ORIGINS"):
        settings.CSRF_TRUSTED_ORIGINS = [url]
    if not os.environ.get("ALONGSIDE_ALLOWED_HOSTS") and shown not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, shown]
        os.environ["ALONGSIDE_ALLOWED_HOSTS"] = ",".join(settings.ALLOWED_HOSTS)
    return url


def workers_argument(value: str) -> int | str:
    if value == "auto":
        return value
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("a number of processes, or auto") from None
    if number < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return number


def worker_count(requested: int | str, *, shared_state: bool, cores: int | None = None) -> int:
    """How many uvicorn processes to run. ``auto`` uses every core, but only when the processes can share
    their cache, channel layer and task queue (REDIS_URL); without it they would share nothing, so one."""
    if requested != "auto":
        return int(requested)
    return max(1, cores if cores is not None else (os.cpu_count() or 1)) if shared_state else 1


class Command(BaseCommand):
    help = "Serve the site (HTTP and websockets) with uvicorn, and run the task worker in-process."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=workers_argument,
            default=1,
            help="uvicorn worker processes (needs REDIS_URL if > 1); auto: one per core with REDIS_URL, else 1",
        )
        parser.add_argument("--no-worker", action="store_true", help="don't run the task worker in this process")

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if port_taken(host, port):
            raise CommandError(
                f"Port {port} on {host} is already in use: is Alongside already running in another terminal? "
                f"Stop it (Ctrl+C there), or serve on another port: make run PORT={port + 1}"
            )
        url = follow_address(host, port)  # before the worker starts: its emails carry links
        consumer = None
        if not options["no_worker"]:
            # Every app's tasks, as `run_huey` loads them: a task queued by another process (a second web process,
            # a management command) must be known here even if nothing in this one imported its module yet.
            autodiscover_modules("tasks")
            consumer = HUEY.create_consumer(**settings.HUEY.get("consumer", {}), periodic=True)
            consumer.start()
            self.stdout.write("Task worker running in this process.")
        workers = worker_count(options["workers"], shared_state=bool(settings.REDIS_URL))
        if workers > 1 and not settings.REDIS_URL:
            self.stderr.write("Several workers need REDIS_URL: they share nothing otherwise.")
            raise SystemExit(2)
        # Everything loaded so far lives as long as the process: keep it out of the collector's full scans,
        # which otherwise pause every socket for hundreds of milliseconds under load.
        gc.collect()
        gc.freeze()
        self.stdout.write(f"Alongside is at {url}/ (Ctrl+C stops it).")
        try:
            uvicorn.run(
                "alongside.asgi:application",
                host=host,
                port=port,
                workers=workers,
                lifespan="off",
                proxy_headers=bool(getattr(settings, "SECURE_PROXY_SSL_HEADER", None)),
                ws_ping_interval=25,
                ws_ping_timeout=20,
                ws_per_message_deflate=False,  # small JSON frames: compression costs CPU and saves little
                log_level=logging.getLevelName(logging.getLogger().getEffectiveLevel()).lower(),
            )
        finally:
            if consumer is not None:
                consumer.stop(graceful=True)
