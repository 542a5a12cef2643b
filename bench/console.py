"""`console.report_s`: the coordinators' service reports page over a year of synthetic activity, on SQLite and on
PostgreSQL. Budget 1 s.

A fresh data directory (and, for PostgreSQL, a fresh database) is migrated and filled in a worker process with a
year of activity: 2,000 supporters, 50,000 contact records (format, career stage, region and one or two topics
each, spread over the year), 10,000 talk-now requests, 3,000 requests for an ongoing peer with 2,000 connections, and
1,000 feedback answers. The worker then asks for the reports page over the whole year, as a signed-in coordinator,
through Django's whole stack (middleware, the view, the template, the charts) in process: one warm-up, then
``RUNS`` timed requests. Beside it, the floor: the trivial ``/healthz`` through the same client. The figure is the
median; the spread, the ratio to the floor and the CPU time per report go beside it.

    python -m bench.console            # both databases (PostgreSQL only if it answers)
    python -m bench.console sqlite
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALONGSIDE = str(Path(sys.executable).parent / "alongside")
BUDGET_S = 1.0
RUNS = 5
CONTACTS, SUPPORTERS, TALKNOW, REQUESTS, CONNECTIONS, FEEDBACK = 50_000, 2_000, 10_000, 3_000, 2_000, 1_000
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH = os.environ.get("BENCH_CONSOLE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alongside_bench_console")
PG_NAME = PG_BENCH.rsplit("/", 1)[-1]


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


def _env(data_dir: str, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALONGSIDE_", "DATABASE_URL", "REDIS_URL"))}
    env.update({"ALONGSIDE_DATA_DIR": data_dir, "ALONGSIDE_DEBUG": "0", "ALONGSIDE_LOG_LEVEL": "WARNING"})
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run(database: str) -> dict[str, object]:
    database_url = None
    if database == "postgresql":
        if not _postgres_ready():
            return {
                "bench": "console.report_s",
                "value": None,
                "unit": "s",
                "database": database,
                "skipped": "no PostgreSQL",
            }
        database_url = PG_BENCH
    with tempfile.TemporaryDirectory(prefix="alongside-bench-console-") as data_dir:
        env = _env(data_dir, database_url)
        subprocess.run([ALONGSIDE, "migrate", "--noinput"], env=env, cwd=ROOT, check=True, capture_output=True)
        done = subprocess.run(
            [sys.executable, "-m", "bench.console", "--worker"], env=env, cwd=ROOT, capture_output=True
        )
        if done.returncode != 0:
            raise RuntimeError("the worker failed:\n" + done.stderr.decode()[-3000:])
    result: dict[str, object] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    result["database"] = database
    return result


# --- the worker: fills the database and times the page ------------------------------------------------------------


def _fill() -> tuple[object, float]:
    import datetime as dt
    import random
    import uuid

    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.hashers import make_password

    from alongside.accounts.models import Profile, User
    from alongside.connections.models import Connection, Feedback, SupportRequest
    from alongside.directory.models import CareerStage, Region, Topic
    from alongside.lib.time import now
    from alongside.roster.models import ContactFormat, ContactRecord
    from alongside.supporters.models import SupporterProfile
    from alongside.talknow.models import State, TalkNowRequest

    started = time.perf_counter()
    rng = random.Random(12)
    end = now()
    year = dt.timedelta(days=365)

    def moment() -> dt.datetime:
        return end - year * rng.random()

    password = make_password(None)
    people = User.objects.bulk_create(
        [
            User(email=f"bench{i}@example.org", password=password, is_supporter=i < SUPPORTERS)
            for i in range(SUPPORTERS + 3_000)
        ],
        batch_size=1000,
    )
    Profile.objects.bulk_create(
        [Profile(user=u, display_name=f"Bench {u.pk}", completed_at=end) for u in people], batch_size=1000
    )
    supporters = people[:SUPPORTERS]
    members = people[SUPPORTERS:]
    profiles = SupporterProfile.objects.bulk_create([SupporterProfile(user=u) for u in supporters], batch_size=1000)
    names = ("Work stress", "Exams", "Bullying", "Grief", "Burnout", "A complaint", "Health", "Family")
    topics = list(Topic.objects.all()) or [Topic.objects.create(slug=f"bench-{i}", name=n) for i, n in enumerate(names)]
    formats, stages, regions = ContactFormat.values, [*CareerStage.values, ""], [*Region.values, ""]
    contacts = ContactRecord.objects.bulk_create(
        [
            ContactRecord(
                supporter=rng.choice(supporters),
                format=rng.choice(formats),
                started_at=(at := moment()),
                ended_at=at + dt.timedelta(minutes=20),
                filed_at=at + dt.timedelta(minutes=25),
                minutes=20,
                career_stage=rng.choice(stages),
                region=rng.choice(regions),
            )
            for _ in range(CONTACTS)
        ],
        batch_size=2000,
    )
    through = ContactRecord.topics.through
    links = []
    for contact in contacts:
        for topic in rng.sample(topics, rng.choice((1, 1, 2))):
            links.append(through(contactrecord_id=contact.pk, topic_id=topic.pk))
    through.objects.bulk_create(links, batch_size=5000)
    states = [State.ENDED, State.ENDED, State.ENDED, State.CANCELLED, State.LAPSED]
    rows = []
    for _ in range(TALKNOW):
        at, state = moment(), rng.choice(states)
        connected = at + dt.timedelta(seconds=rng.randint(20, 600)) if state == State.ENDED else None
        rows.append(
            TalkNowRequest(
                member=rng.choice(members), state=state, created_at=at, connected_at=connected, ended_at=connected
            )
        )
    TalkNowRequest.objects.bulk_create(rows, batch_size=2000)
    requests = SupportRequest.objects.bulk_create(
        [SupportRequest(member=members[i], status="matched", created_at=moment()) for i in range(REQUESTS)],
        batch_size=1000,
    )
    Connection.objects.bulk_create(
        [
            Connection(
                member=r.member,
                supporter=rng.choice(profiles),
                request=r,
                started_at=r.created_at + dt.timedelta(days=rng.randint(1, 10)),
                review_due_at=end,
                review_due_sessions=6,
                status="closed" if i % 2 else "active",
                ended_at=end - dt.timedelta(days=rng.randint(0, 100)) if i % 2 else None,
                end_kind="closed" if i % 2 else "",
            )
            for i, r in enumerate(requests[:CONNECTIONS])
        ],
        batch_size=1000,
    )
    Feedback.objects.bulk_create(
        [
            Feedback(
                id=uuid.uuid4(),
                month=moment().date().replace(day=1),
                felt_heard=rng.randint(3, 5),
                felt_respected=rng.randint(3, 5),
                would_recommend=rng.randint(2, 5),
            )
            for _ in range(FEEDBACK)
        ],
        batch_size=1000,
    )
    coordinator = User.objects.create_user("coordinator@bench.example.org", None, is_coordinator=True)
    Profile.objects.create(user=coordinator, display_name="Bench coordinator", completed_at=end)
    TOTP.activate(coordinator, generate_totp_secret())
    return coordinator, time.perf_counter() - started


def worker() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")
    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from alongside.lib.time import now

    coordinator, fill_s = _fill()
    setup_test_environment()
    client = Client()
    client.force_login(coordinator)  # type: ignore[arg-type]
    today = now().date()
    url = f"/console/service-reports/?start={(today.replace(year=today.year - 1)).isoformat()}&end={today.isoformat()}"
    first = client.get(url)
    if first.status_code != 200 or b"Contacts by format" not in first.content:
        raise RuntimeError(f"the reports page answered {first.status_code}")
    times, floor, cpu = [], [], 0.0
    for _ in range(RUNS):
        cpu_start, start = time.process_time(), time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
        cpu += time.process_time() - cpu_start
        start = time.perf_counter()
        client.get("/healthz")
        floor.append(time.perf_counter() - start)
    median, floor_median = statistics.median(times), statistics.median(floor)
    print(
        json.dumps(
            {
                "bench": "console.report_s",
                "value": round(median, 3),
                "unit": "s",
                "budget": BUDGET_S,
                "min": round(min(times), 3),
                "max": round(max(times), 3),
                "floor_s": round(floor_median, 4),
                "ratio_to_floor": round(median / floor_median, 1),
                "cpu_s_per_report": round(cpu / RUNS, 3),
                "runs": RUNS,
                "contacts": CONTACTS,
                "supporters": SUPPORTERS,
                "fill_s": round(fill_s, 1),
                "load_average": round(os.getloadavg()[0], 2),
            }
        ),
        flush=True,
    )


def main(databases: list[str] | None = None) -> None:
    for database in databases or ["sqlite", "postgresql"]:
        print(json.dumps(run(database)), flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--worker"]:
        worker()
    else:
        main(sys.argv[1:] or None)
