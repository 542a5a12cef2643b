import datetime as dt

import pytest
from django.test import Client

from alongside.audit.models import AuditEvent, Outcome
from alongside.connections.tests import factories as cf
from alongside.meetings import services as sessions
from alongside.meetings.models import Session, SessionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def connection(member, supporter):
    cf.set_person(member, time_zone="Australia/Melbourne")
    cf.set_person(supporter, time_zone="Europe/London")
    made = cf.connection(member, supporter)
    made.request.formats = ["chat", "phone", "video"]
    made.request.save()
    made.supporter.formats = ["phone", "video", "voice"]
    made.supporter.save()
    return made


def next_december_3() -> dt.date:
    """The next 3 December: summer time in Melbourne, winter time in London."""
    today = dt.date.today()
    this_year = dt.date(today.year, 12, 3)
    return this_year if this_year > today else this_year.replace(year=today.year + 1)


def next_melbourne_spring_forward() -> dt.date:
    """The next first Sunday of October, when Melbourne's clocks skip from 2:00 to 3:00 am."""
    today = dt.date.today()
    for year in (today.year, today.year + 1):
        first = dt.date(year, 10, 1)
        sunday = first + dt.timedelta(days=(6 - first.weekday()) % 7)
        if sunday > today:
            return sunday
    raise AssertionError("unreachable")


def form(**overrides):
    data = {"date": next_december_3().isoformat(), "time": "19:00", "minutes": "60", "medium": "video"}
    data.update(overrides)
    return data


def test_a_member_proposes_a_time_in_their_own_time_zone(connection, member_client):
    response = member_client.post(f"/connections/{connection.pk}/sessions/propose/", form())
    made = Session.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sessions/{made.pk}/"
    # 7 pm in Melbourne on 3 December is 8 am UTC (daylight time, +11).
    assert made.starts_at == dt.datetime.combine(next_december_3(), dt.time(8, 0), tzinfo=dt.UTC)
    assert (made.minutes, made.medium, made.status) == (60, "video", SessionStatus.PROPOSED)


def test_the_form_offers_only_the_media_both_accept(connection, member_client):
    page = member_client.get(f"/connections/{connection.pk}/sessions/propose/").content.decode()
    assert 'value="phone"' in page and 'value="video"' in page
    assert 'value="chat"' not in page and 'value="voice"' not in page
    assert "In your time zone (Melbourne)" in page
    refused = member_client.post(f"/connections/{connection.pk}/sessions/propose/", form(medium="chat"))
    assert refused.status_code == 200
    assert not Session.objects.exists()


def test_the_form_refuses_a_time_the_clocks_skip_with_a_field_error(connection, member_client):
    skipped = next_melbourne_spring_forward()
    response = member_client.post(
        f"/connections/{connection.pk}/sessions/propose/", form(date=skipped.isoformat(), time="02:30")
    )
    assert response.status_code == 200
    assert "The clocks change around that time" in response.content.decode()
    assert not Session.objects.exists()


def test_each_side_sees_the_time_in_their_zone_and_the_others(connection, member_client, supporter_client):
    member_client.post(f"/connections/{connection.pk}/sessions/propose/", form())
    made = Session.objects.get()
    day = f"{next_december_3():%a} 3 Dec"
    mine = member_client.get(f"/sessions/{made.pk}/").content.decode()
    assert f"{day}, 7:00 pm your time (Melbourne) — 8:00 am London for your peer" in mine
    theirs = supporter_client.get(f"/sessions/{made.pk}/").content.decode()
    assert f"{day}, 8:00 am your time (London) — 7:00 pm Melbourne for your peer" in theirs
    assert "Agree to this time" in theirs and "Agree to this time" not in mine


def test_the_other_side_agrees_from_the_session_page(connection, member_client, supporter_client):
    member_client.post(f"/connections/{connection.pk}/sessions/propose/", form())
    made = Session.objects.get()
    response = supporter_client.post(f"/sessions/{made.pk}/agree/")
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == SessionStatus.AGREED
    listed = member_client.get(f"/connections/{connection.pk}/sessions/").content.decode()
    assert "Agreed" in listed and "Propose a time" in listed


def test_the_other_side_proposes_another_time_which_replaces_the_first(connection, member_client, supporter_client):
    member_client.post(f"/connections/{connection.pk}/sessions/propose/", form())
    first = Session.objects.get()
    assert member_client.get(f"/sessions/{first.pk}/another-time/").status_code == 302  # not theirs to answer
    page = supporter_client.get(f"/sessions/{first.pk}/another-time/")
    assert page.status_code == 200
    response = supporter_client.post(
        f"/sessions/{first.pk}/another-time/", form(time="09:00", medium="phone", minutes="30")
    )
    second = Session.objects.exclude(pk=first.pk).get()
    assert response["Location"] == f"/sessions/{second.pk}/"
    first.refresh_from_db()
    assert first.status == SessionStatus.SUPERSEDED and second.replaces == first
    # 9 am in London on 3 December is 9 am UTC.
    assert second.starts_at == dt.datetime.combine(next_december_3(), dt.time(9, 0), tzinfo=dt.UTC)
    member_client.post(f"/sessions/{second.pk}/agree/")
    second.refresh_from_db()
    assert second.status == SessionStatus.AGREED


def test_either_side_cancels_from_the_session_page(connection, member_client, supporter_client):
    member_client.post(f"/connections/{connection.pk}/sessions/propose/", form())
    made = Session.objects.get()
    response = supporter_client.post(f"/sessions/{made.pk}/cancel/")
    assert response["Location"] == f"/connections/{connection.pk}/sessions/"
    made.refresh_from_db()
    assert made.status == SessionStatus.CANCELLED


def test_a_past_agreed_session_is_marked_held_from_the_list(connection, member, supporter, member_client, clock):
    made = sessions.propose(
        connection=connection, actor=supporter, starts_at=clock.at + dt.timedelta(hours=3), minutes=60, medium="phone"
    )
    sessions.agree(session=made, actor=member)
    clock.advance(hours=4)
    listed = member_client.get(f"/connections/{connection.pk}/sessions/").content.decode()
    assert "Did these take place?" in listed
    member_client.post(f"/sessions/{made.pk}/held/")
    made.refresh_from_db()
    connection.refresh_from_db()
    assert made.status == SessionStatus.HELD and connection.sessions_held == 1
    member_client.post(f"/sessions/{made.pk}/held/")
    connection.refresh_from_db()
    assert connection.sessions_held == 1


@pytest.mark.parametrize("who", ["outsider", "coordinator"])
def test_outsiders_get_404_and_an_audited_denial(connection, member, request, who):
    made = sessions.propose(
        connection=connection,
        actor=member,
        starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
        minutes=60,
        medium="video",
    )
    client = Client()
    client.force_login(request.getfixturevalue(who))
    for method, url in [
        ("get", f"/sessions/{made.pk}/"),
        ("post", f"/sessions/{made.pk}/agree/"),
        ("post", f"/sessions/{made.pk}/cancel/"),
        ("post", f"/sessions/{made.pk}/another-time/"),
        ("get", f"/connections/{connection.pk}/sessions/"),
        ("post", f"/connections/{connection.pk}/sessions/propose/"),
    ]:
        assert getattr(client, method)(url).status_code == 404, url
    made.refresh_from_db()
    assert made.status == SessionStatus.PROPOSED
    assert AuditEvent.objects.filter(action="connections.session.view", outcome=Outcome.DENIED).count() == 4
    assert Session.objects.count() == 1


def test_the_list_reads_a_fixed_number_of_queries_however_many_sessions(
    connection, member, supporter, member_client, clock, django_assert_max_num_queries
):
    for days in range(1, 6):
        made = sessions.propose(
            connection=connection,
            actor=member,
            starts_at=clock.at + dt.timedelta(days=days),
            minutes=60,
            medium="phone",
        )
        sessions.agree(session=made, actor=supporter)
    member_client.get(f"/connections/{connection.pk}/sessions/")  # warm the service settings cache
    with django_assert_max_num_queries(8):
        page = member_client.get(f"/connections/{connection.pk}/sessions/")
    assert page.content.decode().count("Open this session") == 5


@pytest.mark.parametrize(
    ("time_zone", "date", "time"),
    [("Australia/Melbourne", "0001-01-01", "00:00"), ("America/Los_Angeles", "9999-12-31", "23:59")],
)
def test_a_date_at_the_edge_of_the_calendar_gets_a_field_error_not_a_500(
    connection, member, member_client, time_zone, date, time
):
    # In UTC the first is in year 0 and the second in year 10000: neither exists in Python's calendar.
    cf.set_person(member, time_zone=time_zone)
    response = member_client.post(f"/connections/{connection.pk}/sessions/propose/", form(date=date, time=time))
    assert response.status_code == 200
    assert "Choose a date within the next year." in response.content.decode()
    assert not Session.objects.exists()


def test_a_counter_proposal_at_the_edge_of_the_calendar_gets_a_field_error(
    connection, supporter, member_client, supporter_client
):
    member_client.post(f"/connections/{connection.pk}/sessions/propose/", form())
    first = Session.objects.get()
    cf.set_person(supporter, time_zone="Asia/Tokyo")
    response = supporter_client.post(f"/sessions/{first.pk}/another-time/", form(date="0001-01-01", time="00:00"))
    assert response.status_code == 200
    assert "Choose a date within the next year." in response.content.decode()
    first.refresh_from_db()
    assert first.status == SessionStatus.PROPOSED and Session.objects.count() == 1
