"""Concurrency on PostgreSQL: the same supporter's taps on "Raise" in the same instant make one concern, and two
debrief clicks at once make one request."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from alongside.roster.models import ContactFormat, ContactRecord
from alongside.safety.models import Concern, DebriefRequest, Level, Source
from alongside.safety.services import raise_concern_once, request_debrief
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TAPS = 4


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a true race needs PostgreSQL; SQLite serialises writers anyway")


def _at_once(call: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(TAPS)
    results: list[Any] = []

    def tap() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(call())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap) for _ in range(TAPS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_taps_racing_each_other_raise_one_concern() -> None:
    supporter = factories.supporter()
    contact = ContactRecord.objects.create(supporter=supporter, format=ContactFormat.PHONE)
    results = _at_once(
        lambda: raise_concern_once(
            raised_by=supporter, level=Level.IMMINENT, source=Source.CONTACT, contact_id=contact.pk
        )
    )
    assert len(results) == TAPS
    assert Concern.objects.count() == 1
    assert {concern.pk for concern, _made in results} == {Concern.objects.get().pk}
    assert sum(made for _concern, made in results) == 1


def test_debrief_clicks_racing_each_other_make_one_request() -> None:
    supporter = factories.supporter()
    results = _at_once(lambda: request_debrief(supporter=supporter))
    assert len(results) == TAPS
    assert DebriefRequest.objects.count() == 1
    assert sum(made for _request, made in results) == 1
