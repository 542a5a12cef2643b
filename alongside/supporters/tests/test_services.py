import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from alongside.matching.weekly import Window
from alongside.supporters.models import SupporterProfile, SupporterStatus
from alongside.supporters.services import save_supporter_profile, set_paused

pytestmark = pytest.mark.django_db


def save(user, **overrides):
    fields = {
        "user": user,
        "bio": "A bio.",
        "formats": ["chat"],
        "capacity": 3,
        "status": SupporterStatus.ACTIVE,
        "availability": [Window(0, 18 * 60, 20 * 60)],
    }
    fields.update(overrides)
    return save_supporter_profile(**fields)


def test_only_supporters_have_a_supporter_profile(member):
    with pytest.raises(ValidationError):
        save(member)
    assert not SupporterProfile.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"formats": []},
        {"formats": ["fax"]},
        {"capacity": 0},
        {"capacity": 21},
        {"status": "sleeping"},
        {"status": SupporterStatus.PAUSED},
        {"availability": [Window(0, 600, 700), Window(0, 650, 800)]},
        {"availability": [Window(2, 700, 700)]},
    ],
)
def test_it_refuses_values_that_cannot_be_used(supporter, overrides):
    with pytest.raises(ValidationError):
        save(supporter, **overrides)
    assert not SupporterProfile.objects.filter(user=supporter).exclude(availability=[]).exists()


def test_touching_windows_are_kept_as_one(supporter):
    profile = save(supporter, availability=[Window(0, 600, 660), Window(0, 660, 720)])
    assert profile.availability == [{"day": 0, "start": "10:00", "end": "12:00"}]


def test_only_a_coordinator_can_pause_someone(supporter, member, coordinator):
    profile = save(supporter)
    with pytest.raises(ValidationError):
        set_paused(actor=member, profile=profile, paused=True)
    with pytest.raises(ValidationError):
        set_paused(actor=coordinator, profile=profile, paused=True, until=dt.date(2001, 1, 1))
    set_paused(actor=coordinator, profile=profile, paused=True, until=dt.date(2999, 1, 1))
    profile.refresh_from_db()
    assert profile.status == SupporterStatus.PAUSED and profile.paused_until == dt.date(2999, 1, 1)
