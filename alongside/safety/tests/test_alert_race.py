"""Concurrency on PostgreSQL: workers sweeping at the same instant alert a concern once, and take each step once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from alongside.lib.time import now
from alongside.safety import alerts
from alongside.safety.models import Concern, ConcernEvent, EventKind, Level, Source, Step
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 4


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a true race needs PostgreSQL; SQLite serialises writers anyway")


def _race(work: Callable[[], int]) -> list[int]:
    barrier = threading.Barrier(WORKERS)
    results: list[int] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == WORKERS
    return results


def _app_alerts(concern: Concern) -> list[tuple[int | None, int | None]]:
    rows = ConcernEvent.objects.filter(concern=concern, kind=EventKind.ALERTED, channel="app")
    return sorted(rows.values_list("recipient_id", "step"))


def test_two_sweeps_at_once_alert_a_missed_concern_once() -> None:
    start = now()
    primary, backup = factories.coordinator(), factories.coordinator()
    factories.on_call(starts_at=start - dt.timedelta(hours=1), primary=[primary], backup=[backup])
    concern = Concern.objects.create(level=Level.IMMINENT, source=Source.THREAD, raised_by=factories.supporter())

    results = _race(lambda: alerts.sweep(start)["alerted"])
    assert sorted(results) == [0] * (WORKERS - 1) + [1]
    assert _app_alerts(concern) == [(primary.pk, Step.ON_CALL)]

    later = start + alerts.STEP_WAIT
    results = _race(lambda: alerts.sweep(later)["escalated"])
    assert sorted(results) == [0] * (WORKERS - 1) + [1]
    assert _app_alerts(concern) == sorted([(primary.pk, Step.ON_CALL), (backup.pk, Step.BACKUP)])
    assert ConcernEvent.objects.filter(concern=concern, kind=EventKind.ESCALATED).count() == 1
