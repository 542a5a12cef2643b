"""Two supporters pressing take at the same instant: exactly one gets the call-back, the other hears that someone
else has it. Run on PostgreSQL, where the two really run at once (SQLite serialises writers anyway)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from alongside.lib.time import now
from alongside.phoneline.models import Callback
from alongside.phoneline.services import SomeoneElseHasIt, request_callback, take_callback
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises them anyway")


def test_two_supporters_taking_at_the_same_instant_get_one_winner(line_on, open_all_day):
    people = [factories.supporter(), factories.supporter()]
    factories.shift(primary=people)
    callback, _ = request_callback(
        name="Sam", phone="0412345678", window_starts_at=now(), window_ends_at=now() + dt.timedelta(hours=1)
    )
    barrier = threading.Barrier(2)
    results: list[str] = []

    def take(person) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            take_callback(callback_id=callback.pk, supporter=person)
            results.append("won")
        except SomeoneElseHasIt:
            results.append("someone else has it")
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["someone else has it", "won"]
    assert Callback.objects.get().taken_by_id in {p.pk for p in people}
