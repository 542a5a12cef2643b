"""Group meetings: scheduling (bad input refused, facilitators only), each member's own time zone, cancelling, the two
reminders (exactly once, to whoever is a member then), the .ics and the private calendar feed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from alongside.audit.models import AuditEvent, Outcome
from alongside.connections.tests import factories as cf
from alongside.connections.tests.conftest import clock  # noqa: F401
from alongside.groups import meeting_tasks, meetings, services
from alongside.groups.models import GroupKind, JoinPolicy, Meeting
from alongside.meetings import calendar
from alongside.notifications.models import Kind, Notification
from tests import factories

pytestmark = pytest.mark.django_db

NAME = "Regulator notification circle"


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def circle():
    facilitator = factories.supporter()
    cf.set_person(facilitator, time_zone="Australia/Melbourne")
    group = services.create_group(
        kind=GroupKind.CIRCLE,
        name=NAME,
        created_by=factories.coordinator(),
        facilitators=[facilitator],
        join_policy=JoinPolicy.OPEN,
    )
    return group, facilitator


def _join(group, **person):
    user = factories.member()
    if person:
        cf.set_person(user, **person)
    services.join(group=group, user=user, accepted_agreement=True)
    return user


def _kinds(kind: str) -> list[int]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user_id", flat=True))


def _form(date: dt.date, time: str, minutes: int = 60) -> dict[str, str]:
    return {"date": date.isoformat(), "time": time, "minutes": str(minutes)}


# --- scheduling --------------------------------------------------------------------------------------------------


def test_a_facilitator_schedules_in_their_zone_and_the_others_are_told(circle, clock):  # noqa: F811
    group, facilitator = circle
    member = _join(group)
    client = _client_for(facilitator)
    day = (clock.at + dt.timedelta(days=10)).date()
    response = client.post(reverse("group_meetings:meeting_new", args=[group.pk]), _form(day, "19:00", 90))
    assert response.status_code == 302
    (made,) = Meeting.objects.filter(group=group)
    assert made.minutes == 90
    assert made.starts_at == dt.datetime.combine(day, dt.time(19), tzinfo=ZoneInfo("Australia/Melbourne"))
    assert _kinds(Kind.GROUP_MEETING_NEW) == [member.pk]  # not the scheduler
    assert AuditEvent.objects.filter(action="groups.meeting.scheduled", outcome=Outcome.OK).count() == 1


@pytest.mark.parametrize(
    ("when", "minutes", "field", "words"),
    [
        ("past", 60, "date", "in the future"),
        ("gap", 60, "time", "clocks change"),
        ("soon", 241, "minutes", "at most 240"),
        ("soon", 9, "minutes", "at least 10"),
        ("far", 60, "date", "within the next year"),
    ],
)
def test_bad_times_are_refused_with_words_and_nothing_saved(circle, clock, when, minutes, field, words):  # noqa: F811
    group, facilitator = circle
    dates = {
        "past": (clock.at - dt.timedelta(days=1)).date(),
        "soon": (clock.at + dt.timedelta(days=3)).date(),
        "far": (clock.at + dt.timedelta(days=400)).date(),
    }
    if when == "gap":
        # 2:30 am on the first Sunday of October does not exist in Melbourne: the clocks go from 2 to 3.
        year = clock.at.year + 1
        first = dt.date(year, 10, 1)
        day = first + dt.timedelta(days=(6 - first.weekday()) % 7)
        data = _form(day, "02:30", minutes)
    else:
        data = _form(dates[when], "10:00", minutes)
    response = _client_for(facilitator).post(reverse("group_meetings:meeting_new", args=[group.pk]), data)
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors[field])
    assert not Meeting.objects.exists()
    assert not Notification.objects.filter(kind=Kind.GROUP_MEETING_NEW).exists()


def test_the_service_refuses_what_the_form_would(circle, clock):  # noqa: F811
    group, facilitator = circle
    with pytest.raises(ValidationError, match="future"):
        meetings.schedule(group=group, by=facilitator, starts_at=clock.at, minutes=60)
    with pytest.raises(ValidationError, match="240"):
        meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(days=1), minutes=300)
    services.end_group(group=group)
    with pytest.raises(ValidationError, match="ended"):
        meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(days=1), minutes=60)


def test_a_member_cannot_schedule_or_cancel_and_is_refused_with_an_audited_404(circle, clock):  # noqa: F811
    group, facilitator = circle
    member = _join(group)
    made = meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(days=2), minutes=60)
    client = _client_for(member)
    day = (clock.at + dt.timedelta(days=3)).date()
    before = AuditEvent.objects.filter(outcome=Outcome.DENIED, action="groups.group.facilitate").count()
    assert client.post(reverse("group_meetings:meeting_new", args=[group.pk]), _form(day, "10:00")).status_code == 404
    cancel = reverse("group_meetings:meeting_cancel", args=[group.pk, made.pk])
    assert client.post(cancel).status_code == 404
    after = AuditEvent.objects.filter(outcome=Outcome.DENIED, action="groups.group.facilitate").count()
    assert after == before + 2
    assert Meeting.objects.filter(group=group).count() == 1
    made.refresh_from_db()
    assert made.cancelled_at is None


def test_a_meeting_of_another_group_is_not_found_through_this_one(circle, clock):  # noqa: F811
    group, facilitator = circle
    other = services.create_group(
        kind=GroupKind.CIRCLE, name="Other", created_by=facilitator, facilitators=[factories.supporter()]
    )
    theirs = Meeting.objects.create(group=other, starts_at=clock.at + dt.timedelta(days=1), minutes=60)
    client = _client_for(facilitator)
    assert client.post(reverse("group_meetings:meeting_cancel", args=[group.pk, theirs.pk])).status_code == 404
    assert client.get(reverse("group_meetings:meeting_ics", args=[group.pk, theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.cancelled_at is None


# --- each member's own time zone ---------------------------------------------------------------------------------


def test_two_members_in_different_zones_each_read_their_own_time(circle, clock):  # noqa: F811
    group, facilitator = circle
    perth = _join(group, time_zone="Australia/Perth")
    london = _join(group, time_zone="Europe/London")
    start = dt.datetime(clock.at.year + 1, 1, 15, 9, 0, tzinfo=dt.UTC)  # 5 pm in Perth, 9 am in London (winter)
    meetings.schedule(group=group, by=facilitator, starts_at=start, minutes=60)
    url = reverse("group_meetings:meeting_list", args=[group.pk])
    perth_page = _client_for(perth).get(url).content.decode()
    london_page = _client_for(london).get(url).content.decode()
    assert "15 January" in perth_page and "5:00 pm" in perth_page and "Perth time" in perth_page
    assert "15 January" in london_page and "9:00 am" in london_page and "London time" in london_page
    assert "5:00 pm" not in london_page


def test_a_guest_reads_times_in_the_services_zone(circle, clock):  # noqa: F811
    group, facilitator = circle
    guest = factories.member(is_guest=True)
    cf.set_person(guest, time_zone="Europe/London")  # a guest has no zone of their own: this is ignored
    start = dt.datetime(clock.at.year + 1, 1, 15, 9, 0, tzinfo=dt.UTC)
    meetings.schedule(group=group, by=facilitator, starts_at=start, minutes=60)
    (view,) = meetings.meetings_for(group, guest)
    assert view.when.endswith("8:00 pm")  # Melbourne, the service's zone (summer time: UTC+11)


def test_the_room_link_shows_only_once_the_room_is_open(circle, clock):  # noqa: F811
    group, facilitator = circle
    member = _join(group)
    meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(minutes=30), minutes=60)
    url = reverse("group_meetings:meeting_list", args=[group.pk])
    assert "data-room-link" not in _client_for(member).get(url).content.decode()
    clock.advance(minutes=20)
    page = _client_for(member).get(url).content.decode()
    assert "data-room-link" in page and reverse("group_meetings:room", args=[group.pk]) in page


# --- cancelling --------------------------------------------------------------------------------------------------


def test_cancelling_tells_the_members_once_and_the_meeting_leaves_the_list(circle, clock):  # noqa: F811
    group, facilitator = circle
    member = _join(group)
    made = meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(days=2), minutes=60)
    client = _client_for(facilitator)
    url = reverse("group_meetings:meeting_cancel", args=[group.pk, made.pk])
    asked = client.get(url)
    assert asked.status_code == 200 and "Every member gets a notification" in asked.content.decode()
    made.refresh_from_db()
    assert made.cancelled_at is None  # asking is not cancelling
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # a double tap
    assert _kinds(Kind.GROUP_MEETING_CANCELLED) == [member.pk]
    assert meetings.upcoming(group) == []
    page = _client_for(member).get(reverse("group_meetings:meeting_list", args=[group.pk])).content.decode()
    assert "No meetings planned yet" in page


# --- reminders ---------------------------------------------------------------------------------------------------


def test_each_reminder_goes_once_to_whoever_is_a_member_then(circle, clock):  # noqa: F811
    group, facilitator = circle
    early = _join(group)
    meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(days=3), minutes=60)
    late = _join(group)  # joined after it was scheduled: still reminded
    left = _join(group)
    services.leave(group=group, user=left)
    assert meeting_tasks.remind_group_meetings.call_local() == 0
    clock.advance(days=2, minutes=1)
    assert meeting_tasks.remind_group_meetings.call_local() == 1
    assert meeting_tasks.remind_group_meetings.call_local() == 0
    assert _kinds(Kind.GROUP_MEETING_24H) == sorted([facilitator.pk, early.pk, late.pk])
    clock.advance(hours=23)
    assert meeting_tasks.remind_group_meetings.call_local() == 1
    assert meeting_tasks.remind_group_meetings.call_local() == 0
    assert _kinds(Kind.GROUP_MEETING_1H) == sorted([facilitator.pk, early.pk, late.pk])
    links = set(Notification.objects.values_list("link", flat=True))
    assert links == {group.get_absolute_url()}


def test_a_cancelled_meeting_or_an_ended_group_sends_no_reminder(circle, clock):  # noqa: F811
    group, facilitator = circle
    _join(group)
    cancelled = meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(days=2), minutes=60)
    meetings.cancel(meeting=cancelled, by=facilitator)
    meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(days=2), minutes=60)
    services.end_group(group=group)
    clock.advance(days=1, hours=1)
    assert meetings.send_due_reminders() == 0
    clock.advance(hours=22)
    assert meetings.send_due_reminders() == 0
    assert not Notification.objects.filter(kind__in=[Kind.GROUP_MEETING_24H, Kind.GROUP_MEETING_1H]).exists()


def test_a_meeting_scheduled_within_the_day_skips_the_24_hour_reminder(circle, clock):  # noqa: F811
    group, facilitator = circle
    _join(group)
    meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(hours=5), minutes=60)
    assert meetings.send_due_reminders() == 0
    clock.advance(hours=4, minutes=1)
    assert meetings.send_due_reminders() == 1
    assert not Notification.objects.filter(kind=Kind.GROUP_MEETING_24H).exists()
    assert len(_kinds(Kind.GROUP_MEETING_1H)) == 2


def test_a_second_worker_that_read_the_same_due_meeting_claims_nothing(circle, clock, monkeypatch):  # noqa: F811
    """The claim is a conditional UPDATE: a worker that read the reminder as due after another sent it sends nothing.
    (The race of two real workers at once runs on PostgreSQL in test_meetings_race.py.)"""
    group, facilitator = circle
    _join(group)
    made = meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(days=2), minutes=60)
    clock.advance(days=1, minutes=1)
    stale = list(meetings._due(meetings.REMINDERS[0], clock.at).values_list("pk", flat=True))
    assert stale == [made.pk]
    assert meetings.send_due_reminders() == 1
    day_ahead = meetings.REMINDERS[0]
    monkeypatch.setattr(
        meetings, "_due", lambda reminder, at: Meeting.objects.filter(pk__in=stale if reminder == day_ahead else [])
    )
    assert meetings.send_due_reminders() == 0
    assert len(_kinds(Kind.GROUP_MEETING_24H)) == 2


# --- the .ics and the feed ---------------------------------------------------------------------------------------


def test_the_ics_is_neutral_and_for_members_only(circle, clock):  # noqa: F811
    group, facilitator = circle
    member = _join(group)
    made = meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(days=2), minutes=45)
    url = reverse("group_meetings:meeting_ics", args=[group.pk, made.pk])
    response = _client_for(member).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Peer group meeting"
    assert event.decoded("DTSTART") == made.starts_at
    assert event.decoded("DTEND") == made.starts_at + dt.timedelta(minutes=45)
    assert str(event["UID"]).startswith(f"group-meeting-{made.pk}@")
    assert str(event["URL"]).endswith(group.get_absolute_url())
    assert str(event["STATUS"]) == "CONFIRMED"
    for word in (NAME, "Regulator", member.display_name, facilitator.display_name, member.email):
        assert word not in body
    assert _client_for(factories.member()).get(url).status_code == 404
    meetings.cancel(meeting=made, by=facilitator)
    (again,) = Calendar.from_ical(_client_for(member).get(url).content).walk("VEVENT")
    assert str(again["STATUS"]) == "CANCELLED"
    assert str(again["UID"]) == str(event["UID"])


def _feed(user) -> list:
    token = calendar.reset_feed(user=user)
    response = Client().get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_the_feed_holds_the_meetings_of_active_groups_and_nothing_of_a_group_left(circle, clock):  # noqa: F811
    group, facilitator = circle
    member = _join(group)
    first = meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(days=2), minutes=60)
    second = meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(days=9), minutes=60)
    gone = meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(days=5), minutes=60)
    meetings.cancel(meeting=gone, by=facilitator)
    other = services.create_group(
        kind=GroupKind.CIRCLE, name="Another", created_by=facilitator, facilitators=[factories.supporter()]
    )
    meetings.schedule(
        group=other, by=other.memberships.get().user, starts_at=clock.at + dt.timedelta(days=3), minutes=60
    )
    uids = sorted(str(e["UID"]) for e in _feed(member))
    assert uids == sorted(str(meetings.meeting_event(m)["UID"]) for m in (first, second))
    assert all(str(e["SUMMARY"]) == "Peer group meeting" for e in _feed(member))
    services.leave(group=group, user=member)
    assert _feed(member) == []
    assert len(_feed(facilitator)) == 2


def test_an_ended_groups_meetings_leave_the_feed(circle, clock):  # noqa: F811
    group, facilitator = circle
    meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(days=2), minutes=60)
    assert len(_feed(facilitator)) == 1
    services.end_group(group=group)
    assert _feed(facilitator) == []


def test_the_group_page_shows_members_its_meetings_and_room_and_outsiders_neither():
    facilitator, member, outsider = factories.supporter(), factories.member(), factories.member()
    group = services.create_group(
        kind=GroupKind.CIRCLE, name="Exams", created_by=None, facilitators=[facilitator], join_policy=JoinPolicy.OPEN
    )
    services.join(group=group, user=member, accepted_agreement=True)
    Meeting.objects.create(
        group=group, starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=2), minutes=60, created_by=facilitator
    )
    client = Client()
    client.force_login(member)
    page = client.get(f"/groups/{group.pk}/").content.decode()
    assert "Add to my calendar" in page and f"/groups/{group.pk}/room/" in page
    client.force_login(outsider)
    page = client.get(f"/groups/{group.pk}/").content.decode()
    assert "Add to my calendar" not in page and f"/groups/{group.pk}/room/" not in page
