"""Page latency under load: `pages.p95` on SQLite and on PostgreSQL.

A real server (`alongside serve`, one uvicorn process, no in-process worker, DEBUG off) is
started on a fresh data directory with the demo data. Fifty virtual users then browse
for a fixed time: each arrives at a random moment in the first 1.5 s, loads a page, waits
0.5-1.5 s (a person reading), and loads the next, half of them anonymous visitors and half a
signed-in member. The figure is the 95th percentile of the time from sending a request to
reading the whole response, over the steady state (requests sent after a 2 s warm-up, once
everyone has arrived and the server's request threads exist).

Beside it, in the same run and through the same server and middleware, `pages.floor_p95`: one
request in five is the trivial view `/healthz` (one `SELECT 1`) instead of a page. The page
figure reads as a ratio to this floor (budget: 3x), which a busy machine moves far less than
either figure alone. And the server's CPU time over the timed window divided by the requests
answered in it (`cpu_ms_per_request`, from /proc, the server process and its workers): what a
request costs, whatever else the machine is doing.

Measured before the arrivals were spread: all fifty sending their first request in the same
millisecond queued for up to 1.6 s, which alone set the p95 at ~330 ms while the steady
state's p95 was a few tens of milliseconds. A real service never sees such a lockstep start.

    python -m bench.pages            # both databases (PostgreSQL only if it answers)
    python -m bench.pages sqlite
    python -m bench pages            # the same, through `make bench`'s runner
    BENCH_REDIS_URL=redis://127.0.0.1:6379/3 python -m bench.pages   # with Redis: one process per core
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
ALONGSIDE = str(Path(sys.executable).parent / "alongside")
USERS = 50
SECONDS = 20.0
WARM_UP = 2.0
BUDGET_MS = 100.0
RATIO_BUDGET = 3.0
FLOOR_PATH = "/healthz"
FLOOR_SHARE = 0.2
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
# A database of its own, made afresh for each run; BENCH_DATABASE_URL names another (on the same server).
PG_BENCH = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alongside_bench")
PG_NAME = PG_BENCH.rsplit("/", 1)[-1]

ANONYMOUS_PAGES = ["/", "/about/", "/accounts/login/", "/accounts/signup/"]
MEMBER_PAGES = ["/", "/library/", "/library/?q=doctors", "/profile/", "/notifications/", "/support/ongoing/new/"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# With Redis the server runs `--workers auto`: one uvicorn process per core, sharing cache and channel layer
# (BENCH_WORKERS sets another number).
REDIS = os.environ.get("BENCH_REDIS_URL", "")
WORKERS = os.environ.get("BENCH_WORKERS", "auto") if REDIS else "1"


def _env(data_dir: str, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALONGSIDE_", "DATABASE_URL", "REDIS_URL"))}
    env.update({"ALONGSIDE_DATA_DIR": data_dir, "ALONGSIDE_DEBUG": "0", "ALONGSIDE_LOG_LEVEL": "WARNING"})
    if database_url:
        env["DATABASE_URL"] = database_url
    if REDIS:
        env["REDIS_URL"] = REDIS
    # BENCH_SERVER_X=value sets X for the server only, e.g. BENCH_SERVER_ALONGSIDE_REQUEST_THREADS=4.
    env.update({k.removeprefix("BENCH_SERVER_"): v for k, v in os.environ.items() if k.startswith("BENCH_SERVER_")})
    return env


def _postgres_ready() -> bool:
    try:
        import psycopg
        from psycopg import sql

        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(PG_NAME)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_NAME)))
        return True
    except Exception:
        return False


async def _sign_in(client: httpx.AsyncClient) -> None:
    page = await client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if token is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    response = await client.post(
        "/accounts/login/",
        data={
            "csrfmiddlewaretoken": token.group(1),
            "login": "member@demo.alongside.test",
            "password": "alongside-demo",
        },
    )
    if response.status_code != 302:
        raise RuntimeError(f"demo member could not sign in ({response.status_code})")


async def _user(
    base: str,
    cookies: httpx.Cookies | None,
    pages: list[str],
    timed_from: float,
    until: float,
    out: list[tuple[str, float]],
) -> None:
    rng = random.Random()
    await asyncio.sleep(rng.uniform(0, 1.5))  # people arrive one by one, not in the same millisecond
    async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=30) as client:
        while time.monotonic() < until:
            path = FLOOR_PATH if rng.random() < FLOOR_SHARE else rng.choice(pages)
            sent = time.monotonic()
            start = time.perf_counter()
            response = await client.get(path)
            await response.aread()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            if sent >= timed_from:
                out.append((path, elapsed))
            await asyncio.sleep(rng.uniform(0.5, 1.5))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and all its descendants (uvicorn's workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(child) for child in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


async def _cpu_at(moment: float, pid: int) -> float:
    await asyncio.sleep(max(0.0, moment - time.monotonic()))
    return _cpu_seconds(pid)


async def _load(base: str, server_pid: int) -> tuple[list[tuple[str, float]], float]:
    """Timed (path, ms) samples, and the server's CPU seconds over the timed window."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await _sign_in(client)
        member_cookies = client.cookies
        for path in ANONYMOUS_PAGES + MEMBER_PAGES + [FLOOR_PATH]:  # warm up templates and caches
            await client.get(path)
    samples: list[tuple[str, float]] = []
    timed_from = time.monotonic() + WARM_UP
    until = timed_from + SECONDS
    cpu_from = asyncio.create_task(_cpu_at(timed_from, server_pid))
    await asyncio.gather(
        *[
            _user(
                base,
                member_cookies if i % 2 else None,
                MEMBER_PAGES if i % 2 else ANONYMOUS_PAGES,
                timed_from,
                until,
                samples,
            )
            for i in range(USERS)
        ]
    )
    return samples, _cpu_seconds(server_pid) - await cpu_from


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[94] if len(times) > 1 else times[0]


def run(database: str) -> list[dict[str, object]]:
    database_url = None
    if database == "postgresql":
        if not _postgres_ready():
            return [
                {"bench": "pages.p95", "value": None, "unit": "ms", "database": database, "skipped": "no PostgreSQL"}
            ]
        database_url = PG_BENCH
    with tempfile.TemporaryDirectory(prefix="alongside-bench-") as data_dir:
        env = _env(data_dir, database_url)
        for command in (["migrate", "--noinput"], ["load_demo"]):
            subprocess.run([ALONGSIDE, *command], env=env, cwd=ROOT, check=True, capture_output=True)
        port = _free_port()
        server = subprocess.Popen(
            [ALONGSIDE, "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port), "--workers", WORKERS],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the server did not start")
                time.sleep(0.2)
            timed, cpu_seconds = asyncio.run(_load(base, server.pid))
        finally:
            server.terminate()
            server.wait(timeout=10)
    samples = [elapsed for path, elapsed in timed if path != FLOOR_PATH]
    floor = [elapsed for path, elapsed in timed if path == FLOOR_PATH]
    cuts, floor_cuts = statistics.quantiles(samples, n=100), statistics.quantiles(floor, n=100)
    by_path: dict[str, list[float]] = {}
    for path, elapsed in timed:
        if path != FLOOR_PATH:
            by_path.setdefault(path, []).append(elapsed)
    p95, floor_p95 = round(cuts[94], 1), round(floor_cuts[94], 1)
    cpu_ms = round(cpu_seconds * 1000 / len(timed), 2)
    common = {
        "database": database,
        "redis": bool(REDIS),
        "workers": (os.cpu_count() or 1) if WORKERS == "auto" else int(WORKERS),
        "users": USERS,
        "seconds": SECONDS,
        "warm_up_s": WARM_UP,
    }
    return [
        {
            "bench": "pages.p95",
            "value": p95,
            "unit": "ms",
            "budget": BUDGET_MS,
            **common,
            "floor_p95": floor_p95,
            "ratio_to_floor": round(p95 / floor_p95, 2),
            "ratio_budget": RATIO_BUDGET,
            "cpu_ms_per_request": cpu_ms,
            "requests": len(samples),
            "requests_per_s": round(len(timed) / SECONDS, 1),
            "p50": round(cuts[49], 1),
            "p99": round(cuts[98], 1),
            "p95_by_page": {path: round(_p95(times), 1) for path, times in sorted(by_path.items())},
            "load_average": round(os.getloadavg()[0], 2),
        },
        {
            "bench": "pages.floor_p95",
            "value": floor_p95,
            "unit": "ms",
            **common,
            "path": FLOOR_PATH,
            "requests": len(floor),
            "p50": round(floor_cuts[49], 1),
        },
    ]


def main(databases: list[str] | None = None) -> None:
    for database in databases or ["sqlite", "postgresql"]:
        for line in run(database):
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or None)
