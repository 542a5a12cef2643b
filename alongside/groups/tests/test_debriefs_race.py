"""Concurrency on PostgreSQL: a double tap at the same instant starts one debrief, and two outreach workers at once
reach every participant exactly once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from alongside.groups import debriefs
from alongside.groups.models import Debrief
from alongside.lib.time import now
from alongside.notifications.models import Kind, Notification
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 4


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a true race needs PostgreSQL; SQLite serialises writers anyway")


def _race(work: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(WORKERS)
    results: list[Any] = []

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


def test_taps_at_the_same_instant_start_one_debrief() -> None:
    starter = factories.member(is_debrief_lead=True)
    results = _race(
        lambda: debriefs.start_debrief(by=starter, mode="hot", team="ED resus team", start_key="same-tap").pk
    )
    assert len(set(results)) == 1
    assert Debrief.objects.filter(started_by=starter).count() == 1


def test_two_workers_at_once_reach_every_participant_exactly_once() -> None:
    debrief = debriefs.start_debrief(by=factories.member(is_debrief_lead=True), mode="hot", team="ICU", start_key="k")
    people = [factories.member() for _ in range(12)]
    for person in people:
        debriefs.join_debrief(debrief=debrief, user=person, accepted_agreement=True)
    later = now() + dt.timedelta(hours=25)
    results = _race(lambda: debriefs.send_due_outreach(at=later).notified)
    assert sum(results) == len(people)
    notes = Notification.objects.filter(kind=Kind.DEBRIEF_OUTREACH)
    assert sorted(notes.values_list("user_id", flat=True)) == sorted(p.pk for p in people)
