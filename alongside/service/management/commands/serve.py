"""Serve Alongside over ASGI with uvicorn, with the task worker in the same process.

This is the single-machine default. In production run the worker on its own
(`alongside run_huey`) and start this command with --no-worker.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the site (HTTP and websockets) with uvicorn, and run the task worker in-process."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (needs REDIS_URL if > 1)")
        parser.add_argument("--no-worker", action="store_true", help="don't run the task worker in this process")

    def handle(self, *args: Any, **options: Any) -> None:
        consumer = None
        if not options["no_worker"]:
            from huey.contrib.djhuey import HUEY

            consumer = HUEY.create_consumer(**settings.HUEY.get("consumer", {}), periodic=True)
            consumer.start()
            self.stdout.write("Task worker running in this process.")
        if options["workers"] > 1 and not settings.REDIS_URL:
            self.stderr.write("Several workers need REDIS_URL: they share nothing otherwise.")
            raise SystemExit(2)
        # Everything loaded so far lives as long as the process: keep it out of the collector's full scans,
        # which otherwise pause every socket for hundreds of milliseconds under load.
        gc.collect()
        gc.freeze()
        try:
            uvicorn.run(
                "alongside.asgi:application",
                host=options["host"],
                port=options["port"],
                workers=options["workers"],
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
