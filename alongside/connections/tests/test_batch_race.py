"""Concurrency on PostgreSQL: two coordinators applying batches at once never overfill a supporter."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import connection, connections

from alongside.connections import batch
from alongside.connections.models import Offer, RequestStatus, SupportRequest
from alongside.connections.tests import factories as cf
from alongside.lib.time import now
from alongside.matching import engine
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers anyway")


def only_waiting(*waiting: SupportRequest) -> None:
    """Put just these requests on the waitlist; the rest go back to choosing (out of the batch)."""
    SupportRequest.objects.update(status=RequestStatus.OPEN)
    SupportRequest.objects.filter(pk__in=[r.pk for r in waiting]).update(status=RequestStatus.WAITLIST)


def test_two_batches_applied_at_once_never_overfill_a_supporter(monkeypatch: pytest.MonkeyPatch) -> None:
    coordinators = [factories.coordinator(), factories.coordinator()]
    profile = cf.clean_supporter(capacity=1)
    at = now() - dt.timedelta(hours=1)
    first, second = (
        cf.support_request(factories.member(), status=RequestStatus.WAITLIST, waitlisted_at=at, created_at=at)
        for _ in range(2)
    )
    # Each coordinator's preview gives the supporter's one place to a different request.
    only_waiting(first)
    one = batch.preview_batch(actor=coordinators[0])
    only_waiting(second)
    other = batch.preview_batch(actor=coordinators[1])
    only_waiting(first, second)
    assert [p.supporter_id for p in one.pairs] == [p.supporter_id for p in other.pairs] == [profile.pk]

    # Widen the window between reading the supporter's load and writing the offer, so that
    # without the lock on the supporter's row both batches would see one place left.
    feasible = engine.is_feasible

    def slow_feasible(*args: Any) -> bool:
        time.sleep(0.3)
        return feasible(*args)

    monkeypatch.setattr(engine, "is_feasible", slow_feasible)
    barrier = threading.Barrier(2)
    results: list[batch.BatchResult] = []
    errors: list[BaseException] = []

    def apply(actor: Any, key: str) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(batch.apply_batch(actor=actor, key=key))
        except BaseException as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=apply, args=(coordinators[0], one.key)),
        threading.Thread(target=apply, args=(coordinators[1], other.key)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert sorted((len(r.sent), len(r.skipped)) for r in results) == [(0, 1), (1, 0)]
    assert Offer.objects.filter(supporter=profile).count() == 1
    skipped = next(r for r in results if r.skipped).skipped[0]
    assert skipped.why == batch.SKIP_INFEASIBLE
