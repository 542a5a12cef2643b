"""Concurrency on PostgreSQL: two supporters' worth of acceptances racing for one free place."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from alongside.connections import services
from alongside.connections.models import Connection, ConnectionStatus, OfferStatus
from alongside.connections.tests import factories as cf
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers anyway")


def test_two_acceptances_for_the_last_place_never_overfill_the_supporter(english, monkeypatch):
    # Widen the window between reading the load and writing the connection, so that without the
    # lock on the supporter's row both acceptances would read "one place left".
    def slow_now():
        time.sleep(0.3)
        return timezone.now()

    monkeypatch.setattr(services, "now", slow_now)
    profile = cf.clean_supporter(capacity=2)
    cf.connection(factories.member(), profile.user)  # one place left
    offers = [cf.offer(cf.support_request(factories.member()), profile) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(offer):
        try:
            barrier.wait(timeout=10)
            services.accept_offer(offer=offer, actor=profile.user)
            outcomes.append("accepted")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(o,)) for o in offers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["accepted", "refused"]
    assert Connection.objects.filter(supporter=profile, status=ConnectionStatus.ACTIVE).count() == 2
    statuses = sorted(o.status for o in type(offers[0]).objects.filter(pk__in=[o.pk for o in offers]))
    assert statuses == [OfferStatus.ACCEPTED, OfferStatus.PENDING]
