import pytest

from alongside.directory.models import Topic
from alongside.supporters.models import SupporterProfile, SupporterStatus

pytestmark = pytest.mark.django_db

URL = "/supporter/profile/"


def profile_data(**overrides):
    data = {
        "bio": "Emergency registrar; I have sat the fellowship exam twice.",
        "gender": "",
        "formats": ["chat", "video"],
        "capacity": "2",
        "status": "active",
        "paused_until": "",
        "windows-TOTAL_FORMS": "3",
        "windows-INITIAL_FORMS": "0",
        "windows-MIN_NUM_FORMS": "0",
        "windows-MAX_NUM_FORMS": "21",
        "windows-0-day": "1",
        "windows-0-start": "18:00",
        "windows-0-end": "21:00",
        "windows-1-day": "3",
        "windows-1-start": "07:00",
        "windows-1-end": "08:30",
        "windows-2-day": "0",
        "windows-2-start": "00:00",
        "windows-2-end": "00:30",
    }
    data.update(overrides)
    return data


def test_it_is_only_for_supporters(member_client, coordinator_client):
    assert member_client.get(URL).status_code == 403
    assert coordinator_client.get(URL).status_code == 403


def test_a_supporter_describes_themselves_and_their_weekly_times(supporter_client, supporter):
    topic = Topic.objects.create(slug="exams", name="Exams")
    response = supporter_client.post(URL, profile_data(topics=[str(topic.pk)], gender="  non-binary "))
    assert response.status_code == 302
    profile = SupporterProfile.objects.get(user=supporter)
    assert profile.formats == ["chat", "video"] and profile.capacity == 2 and profile.gender == "non-binary"
    assert list(profile.topics.all()) == [topic]
    assert profile.availability == [
        {"day": 0, "start": "00:00", "end": "00:30"},
        {"day": 1, "start": "18:00", "end": "21:00"},
        {"day": 3, "start": "07:00", "end": "08:30"},
    ]
    assert profile.last_active_at is not None
    page = supporter_client.get(URL).content.decode()
    assert 'value="18:00" selected' in page  # the saved windows come back for editing


def test_overlapping_windows_on_one_day_are_refused_and_nothing_is_saved(supporter_client, supporter):
    response = supporter_client.post(
        URL, profile_data(**{"windows-1-day": "1", "windows-1-start": "20:00", "windows-1-end": "22:00"})
    )
    assert response.status_code == 200
    assert "overlap" in response.content.decode()
    assert not SupporterProfile.objects.filter(user=supporter).exclude(availability=[]).exists()


def test_a_window_must_end_after_it_starts(supporter_client):
    response = supporter_client.post(URL, profile_data(**{"windows-0-start": "21:00", "windows-0-end": "18:00"}))
    assert "The end must be later than the start." in response.content.decode()


def test_a_removed_window_is_dropped(supporter_client, supporter):
    supporter_client.post(URL, profile_data(**{"windows-1-DELETE": "on"}))
    assert [w["day"] for w in SupporterProfile.objects.get(user=supporter).availability] == [0, 1]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"status": "paused"}, "Give the date your pause ends."),
        ({"status": "paused", "paused_until": "2001-01-01"}, "Choose a date from today on."),
        ({"capacity": "0"}, "Choose a number from 1 to 20"),
        ({"capacity": "21"}, "Choose a number from 1 to 20"),
        ({"formats": []}, "This field is required."),
        ({"bio": "x" * 601}, "at most 600 characters"),
    ],
)
def test_it_refuses_what_cannot_be_used_with_a_clear_message(supporter_client, supporter, overrides, message):
    response = supporter_client.post(URL, profile_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SupporterProfile.objects.filter(user=supporter, capacity=2).exists()


def test_a_supporter_can_pause_until_a_date(supporter_client, supporter):
    supporter_client.post(URL, profile_data(status="paused", paused_until="2999-01-01"))
    profile = SupporterProfile.objects.get(user=supporter)
    assert profile.status == SupporterStatus.PAUSED and str(profile.paused_until) == "2999-01-01"


def test_empty_rows_are_ignored_and_half_filled_ones_are_refused(supporter_client, supporter):
    blank = {"windows-2-day": "", "windows-2-start": "", "windows-2-end": ""}
    supporter_client.post(URL, profile_data(**blank))
    assert [w["day"] for w in SupporterProfile.objects.get(user=supporter).availability] == [1, 3]
    response = supporter_client.post(URL, profile_data(**{**blank, "windows-2-day": "4"}))
    assert "Give a day, a start and an end, or leave the whole row empty." in response.content.decode()
    assert [w["day"] for w in SupporterProfile.objects.get(user=supporter).availability] == [1, 3]
