"""Concurrency on PostgreSQL: two supporters take the same offered place in the same instant; exactly one wins."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from alongside.lib.time import now
from alongside.roster import services
from alongside.roster.models import ShiftPlace
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a true race needs PostgreSQL; SQLite serialises writers anyway")


def test_two_takers_at_once_leave_exactly_one_winner() -> None:
    holder = factories.supporter()
    takers = [factories.supporter() for _ in range(4)]
    place = factories.shift(starts_at=now() + dt.timedelta(days=1), primary=[holder]).places.get()
    services.offer_cover(supporter=holder, place=place)
    barrier = threading.Barrier(len(takers))
    outcomes: list[str] = []

    def take(taker):  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            services.take_cover(taker=taker, place_id=place.pk)
            outcomes.append(f"won {taker.pk}")
        except services.CoverGone:
            outcomes.append("gone")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(t,)) for t in takers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    winners = [o for o in outcomes if o.startswith("won")]
    assert len(outcomes) == len(takers) and len(winners) == 1
    assert f"won {ShiftPlace.objects.get(pk=place.pk).supporter_id}" == winners[0]
