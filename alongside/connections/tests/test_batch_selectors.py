"""The fingerprint that tells whether a batch's inputs changed since its preview."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from alongside.connections import glue, waitlist
from alongside.connections.models import RequestStatus, SupportRequest
from alongside.connections.tests import factories as cf
from alongside.lib.time import now
from alongside.matching import engine
from tests import factories

pytestmark = pytest.mark.django_db


def waiting() -> SupportRequest:
    at = now() - dt.timedelta(hours=2)
    return cf.support_request(factories.member(), status=RequestStatus.WAITLIST, waitlisted_at=at, created_at=at)


def current() -> str:
    requests, supporters = waitlist.engine_inputs(waitlist.batch_queryset())
    return waitlist.fingerprint(requests, supporters, glue.current_weights())


def test_the_fingerprint_ignores_the_passing_of_time():
    cf.clean_supporter()
    waiting()
    requests, supporters = waitlist.engine_inputs(waitlist.batch_queryset())
    later = [dataclasses.replace(r, waited_hours=r.waited_hours + 5) for r in requests]
    weights = glue.current_weights()
    assert waitlist.fingerprint(requests, supporters, weights) == waitlist.fingerprint(later, supporters, weights)


def test_the_fingerprint_changes_when_a_request_leaves_or_a_supporter_fills_up():
    profile = cf.clean_supporter(capacity=2)
    first, _ = waiting(), waiting()
    before = current()
    cf.offer(cf.support_request(factories.member()), profile)
    after_offer = current()
    assert after_offer != before
    SupportRequest.objects.filter(pk=first.pk).update(status=RequestStatus.WITHDRAWN, closed_at=now())
    assert current() != after_offer


def test_the_fingerprint_changes_with_the_weights():
    cf.clean_supporter()
    waiting()
    requests, supporters = waitlist.engine_inputs(waitlist.batch_queryset())
    assert waitlist.fingerprint(requests, supporters, engine.Weights()) != waitlist.fingerprint(
        requests, supporters, engine.Weights(topic_experience=5)
    )
