import datetime as dt

import pytest

from alongside.connections.models import Offer, OfferStatus
from alongside.connections.selectors import MIN_HISTORY, expected_wait, humanise
from alongside.connections.tests import factories as cf
from tests import factories

pytestmark = pytest.mark.django_db


def matched_after(hours: float, *, at: dt.datetime, days_ago: float = 1) -> Offer:
    """A past request accepted ``hours`` after it was made, ``days_ago`` days before ``at``."""
    accepted = at - dt.timedelta(days=days_ago)
    request = cf.support_request(factories.member(), created_at=accepted - dt.timedelta(hours=hours))
    offer = cf.offer(request, cf.clean_supporter())
    offer.status, offer.responded_at = OfferStatus.ACCEPTED, accepted
    offer.save()
    return offer


def test_it_says_honestly_when_there_is_not_enough_history(member, english, clock):
    for hours in range(MIN_HISTORY - 1):
        matched_after(hours, at=clock.at)
    wait = expected_wait(cf.support_request(member), at=clock.at)
    assert wait.median is None and wait.samples == MIN_HISTORY - 1
    assert wait.history_sentence == "There is not enough history yet to say how long matching usually takes."


def test_it_gives_the_median_time_from_request_to_accepted_offer_over_90_days(member, english, clock):
    for hours in (2, 4, 30, 50, 100):
        matched_after(hours, at=clock.at)
    matched_after(1, at=clock.at, days_ago=91)  # too old to count
    wait = expected_wait(cf.support_request(member), at=clock.at)
    assert wait.samples == 5 and wait.median == dt.timedelta(hours=30)
    assert "within 30 hours of asking (5 matches)" in wait.history_sentence


def test_supply_counts_only_supporters_who_fit_and_have_room(member, english, clock):
    shared = factories.WorkplaceFactory()
    cf.set_person(member, workplaces=[shared])
    cf.clean_supporter()
    cf.clean_supporter()
    cf.set_person(cf.clean_supporter().user, workplaces=[shared])  # a colleague: never
    full = cf.clean_supporter(capacity=1)
    cf.connection(factories.member(), full.user)
    cf.clean_supporter(status="inactive")
    wait = expected_wait(cf.support_request(member), at=clock.at)
    assert wait.feasible_supporters == 2
    assert wait.supply_sentence == "Right now 2 supporters who fit your request have room for someone new."


def test_with_no_supply_it_says_the_coordinators_will_look(member, english, clock):
    wait = expected_wait(cf.support_request(member), at=clock.at)
    assert wait.feasible_supporters == 0 and "coordinators will look" in wait.supply_sentence


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (dt.timedelta(minutes=20), "an hour"),
        (dt.timedelta(hours=1), "1 hour"),
        (dt.timedelta(hours=30), "30 hours"),
        (dt.timedelta(days=3), "3 days"),
        (dt.timedelta(days=30), "4 weeks"),
    ],
)
def test_durations_read_plainly(delta, words):
    assert humanise(delta) == words
