"""After three hard contacts in a week, one gentle nudge to the supporter and the coordinator on call."""

import datetime as dt

import pytest

from alongside.lib.time import now
from alongside.notifications.models import Kind, Notification
from alongside.roster import services
from alongside.roster.models import ContactFormat, ContactRecord
from tests import factories

pytestmark = pytest.mark.django_db


def _contact(supporter, *, hard=False, risk=False, days_ago=0):
    started = now() - dt.timedelta(days=days_ago, minutes=30)
    row = ContactRecord.objects.create(
        supporter=supporter, format=ContactFormat.PHONE, started_at=started, ended_at=started + dt.timedelta(minutes=20)
    )
    return services.file_contact(
        supporter=supporter,
        record_id=row.pk,
        topics=[],
        career_stage="",
        minutes=20,
        referral_given=False,
        risk_raised=risk,
        hard_for_me=hard,
    )


def test_the_third_hard_contact_in_a_week_nudges_once():
    supporter, on_call, other = factories.supporter(), factories.coordinator(), factories.coordinator()
    factories.on_call(primary=[on_call])
    _contact(supporter, hard=True, days_ago=8)  # more than a week ago: not counted
    _contact(supporter, hard=True, days_ago=3)
    _contact(supporter)  # not hard
    _contact(supporter, risk=True, days_ago=1)
    assert not Notification.objects.filter(kind=Kind.HARD_WEEK).exists()
    _contact(supporter, hard=True)
    assert Notification.objects.filter(user=supporter, kind=Kind.HARD_WEEK).count() == 1
    assert Notification.objects.filter(user=on_call, kind=Kind.HARD_WEEK_COORDINATOR).count() == 1
    assert not Notification.objects.filter(user=other).exists()
    _contact(supporter, hard=True)  # a fourth: still one nudge this week
    assert Notification.objects.filter(user=supporter, kind=Kind.HARD_WEEK).count() == 1


def test_with_nobody_on_call_every_coordinator_hears():
    supporter, first, second = factories.supporter(), factories.coordinator(), factories.coordinator()
    for _ in range(3):
        _contact(supporter, hard=True)
    assert Notification.objects.filter(kind=Kind.HARD_WEEK_COORDINATOR, user__in=[first, second]).count() == 2
