import datetime as dt

import pytest

from alongside.connections import tasks
from alongside.connections.models import Offer, OfferStatus
from alongside.connections.tests import factories as cf
from tests import factories

pytestmark = pytest.mark.django_db


def test_offer_lapses_run_every_five_minutes_and_review_announcements_hourly():
    start = dt.datetime(2026, 3, 2, 9, 0)
    assert [m for m in range(60) if tasks.lapse_offers.s().validate_datetime(start.replace(minute=m))] == list(
        range(0, 60, 5)
    )
    assert [m for m in range(60) if tasks.announce_reviews.s().validate_datetime(start.replace(minute=m))] == [7]


def test_the_lapse_task_lapses_due_offers_and_offers_the_next_peer(member, english, clock):
    first, second = cf.clean_supporter(), cf.clean_supporter()
    offer = cf.offer(cf.support_request(member), first)
    clock.advance(hours=48, seconds=1)
    assert tasks.lapse_offers.call_local() == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.LAPSED
    assert Offer.objects.get(status=OfferStatus.PENDING).supporter == second
    assert tasks.lapse_offers.call_local() == 0


def test_the_review_task_announces_each_due_review_once(member, supporter, clock):
    cf.connection(member, supporter, review_due_at=clock.at)
    cf.connection(factories.member(), supporter, review_due_at=clock.at + dt.timedelta(days=1))
    assert tasks.announce_reviews.call_local() == 1
    assert tasks.announce_reviews.call_local() == 0
