import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from alongside.audit.models import AuditEvent
from alongside.connections.models import ConnectionStatus
from alongside.connections.tests import factories as cf
from alongside.lib.time import describe_time
from alongside.meetings import services as sessions
from alongside.meetings.models import Session, SessionStatus
from alongside.notifications.models import Kind, Notification
from tests import factories

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def connection(member, supporter):
    cf.set_person(member, time_zone="Australia/Melbourne")
    cf.set_person(supporter, time_zone="Europe/London")
    return cf.connection(member, supporter)


def soon(days: float = 2) -> dt.datetime:
    return (dt.datetime.now(UTC) + dt.timedelta(days=days)).replace(second=0, microsecond=0)


def propose(connection, actor, *, at=None, minutes=60, medium="chat"):
    return sessions.propose(connection=connection, actor=actor, starts_at=at or soon(), minutes=minutes, medium=medium)


# --- time zones ---------------------------------------------------------------------


def test_a_time_reads_in_the_viewers_zone_with_the_peers_beside_it():
    at = dt.datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # Melbourne is on daylight time (+11); London on GMT
    assert (
        describe_time(at, viewer_zone="Australia/Melbourne", peer_zone="Europe/London")
        == "Thu 3 Dec, 7:00 pm your time (Melbourne) — 8:00 am London for your peer"
    )
    assert (
        describe_time(at, viewer_zone="Europe/London", peer_zone="Australia/Melbourne")
        == "Thu 3 Dec, 8:00 am your time (London) — 7:00 pm Melbourne for your peer"
    )


def test_the_peers_day_is_named_when_it_differs():
    at = dt.datetime(2026, 12, 2, 20, 30, tzinfo=UTC)  # Thursday 7:30 am in Melbourne, Wednesday evening in London
    assert (
        describe_time(at, viewer_zone="Australia/Melbourne", peer_zone="Europe/London")
        == "Thu 3 Dec, 7:30 am your time (Melbourne) — Wed 2 Dec, 8:30 pm London for your peer"
    )


def test_peers_in_the_same_zone_are_told_it_is_the_same_time():
    at = dt.datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
    assert (
        describe_time(at, viewer_zone="Australia/Sydney", peer_zone="Australia/Sydney")
        == "Mon 1 Jun, 12:00 pm your time (Sydney), the same time for your peer"
    )


def test_a_wall_clock_time_is_read_in_the_proposers_zone():
    starts = sessions.starts_at_from_local(
        date=dt.date(2026, 12, 3), time=dt.time(19, 0), time_zone="Australia/Melbourne"
    )
    assert starts == dt.datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("date", "time"),
    [
        (dt.date(2026, 10, 4), dt.time(2, 30)),  # Melbourne's clocks skip from 2:00 to 3:00
        (dt.date(2026, 4, 5), dt.time(2, 30)),  # and repeat 2:00 to 3:00
    ],
)
def test_a_time_the_clocks_skip_or_repeat_is_refused(date, time):
    with pytest.raises(ValidationError) as caught:
        sessions.starts_at_from_local(date=date, time=time, time_zone="Australia/Melbourne")
    assert "clocks change" in str(caught.value)


# --- proposing and answering --------------------------------------------------------


def test_either_side_proposes_and_the_other_is_told(connection, member, supporter):
    made = propose(connection, supporter, medium="video", minutes=45)
    assert (made.status, made.proposed_by, made.minutes, made.medium) == ("proposed", supporter, 45, "video")
    assert made.proposed_in == "Europe/London"
    told = Notification.objects.get(kind=Kind.SESSION_PROPOSED)
    assert (told.user, told.link) == (member, f"/sessions/{made.pk}/")
    assert AuditEvent.objects.filter(action="connections.session.proposed", actor_id=supporter.pk).exists()


def test_only_media_both_sides_accept_can_be_chosen(member, supporter):
    connection = cf.connection(member, supporter)
    connection.request.formats = ["chat", "phone"]
    connection.request.save()
    connection.supporter.formats = ["phone", "video"]
    connection.supporter.save()
    assert sessions.media_for(connection) == ["phone"]
    with pytest.raises(ValidationError) as caught:
        propose(connection, member, medium="chat")
    assert "medium" in caught.value.message_dict
    assert propose(connection, member, medium="phone").medium == "phone"


@pytest.mark.parametrize("days", [-1, 400])
def test_a_time_in_the_past_or_more_than_a_year_ahead_is_refused(connection, member, days):
    with pytest.raises(ValidationError) as caught:
        propose(connection, member, at=soon(days))
    assert "date" in caught.value.message_dict


def test_a_length_off_the_list_is_refused(connection, member):
    with pytest.raises(ValidationError) as caught:
        propose(connection, member, minutes=600)
    assert "minutes" in caught.value.message_dict


def test_one_time_waits_for_an_answer_at_a_time(connection, member, supporter):
    propose(connection, member)
    with pytest.raises(ValidationError, match="already a time waiting"):
        propose(connection, supporter, at=soon(3))


def test_a_proposal_whose_time_passed_unanswered_makes_way_for_a_new_one(connection, member, clock):
    stale = propose(connection, member, at=clock.at + dt.timedelta(hours=2))
    clock.advance(hours=3)
    fresh = propose(connection, member, at=clock.at + dt.timedelta(days=1))
    stale.refresh_from_db()
    assert stale.status == SessionStatus.CANCELLED
    assert fresh.status == SessionStatus.PROPOSED


def test_the_other_side_agrees_and_the_proposer_is_told(connection, member, supporter):
    made = propose(connection, member)
    sessions.agree(session=made, actor=supporter)
    made.refresh_from_db()
    assert made.status == SessionStatus.AGREED and made.agreed_at is not None
    assert Notification.objects.filter(user=member, kind=Kind.SESSION_AGREED).count() == 1


def test_the_proposer_cannot_agree_to_their_own_time(connection, member):
    made = propose(connection, member)
    with pytest.raises(ValidationError, match="Your peer needs to agree"):
        sessions.agree(session=made, actor=member)


def test_a_counter_proposal_supersedes_the_first(connection, member, supporter):
    first = propose(connection, member, at=soon(2))
    second = sessions.counter(session=first, actor=supporter, starts_at=soon(3), minutes=30, medium="phone")
    first.refresh_from_db()
    assert first.status == SessionStatus.SUPERSEDED
    assert (second.status, second.proposed_by, second.replaces) == ("proposed", supporter, first)
    assert Notification.objects.filter(user=member, kind=Kind.SESSION_PROPOSED).count() == 1
    with pytest.raises(ValidationError, match="already been answered"):
        sessions.agree(session=first, actor=supporter)
    sessions.agree(session=second, actor=member)
    second.refresh_from_db()
    assert second.status == SessionStatus.AGREED
    assert list(sessions.sessions_of(connection)) == [second]


def test_the_proposer_cannot_counter_their_own_time(connection, member):
    first = propose(connection, member)
    with pytest.raises(ValidationError, match="cancel it and propose"):
        sessions.counter(session=first, actor=member, starts_at=soon(3), minutes=60, medium="chat")


def test_either_side_cancels_and_the_other_is_told(connection, member, supporter):
    made = propose(connection, member)
    sessions.agree(session=made, actor=supporter)
    sessions.cancel(session=made, actor=supporter)
    made.refresh_from_db()
    assert (made.status, made.cancelled_by) == (SessionStatus.CANCELLED, supporter)
    assert Notification.objects.filter(user=member, kind=Kind.SESSION_CANCELLED).count() == 1
    with pytest.raises(ValidationError):
        sessions.cancel(session=made, actor=member)


def test_someone_outside_the_connection_can_do_nothing_with_it(connection, member):
    stranger = factories.member()
    with pytest.raises(ValidationError, match="not part of this connection"):
        propose(connection, stranger)
    made = propose(connection, member)
    for act in (sessions.agree, sessions.cancel):
        with pytest.raises(ValidationError, match="not part of this connection"):
            act(session=made, actor=stranger)
    assert Session.objects.get().status == SessionStatus.PROPOSED


def test_a_closed_connection_takes_no_new_times(connection, member):
    from alongside.connections.services import close_connection

    close_connection(connection=connection, actor=member)
    assert connection.status == ConnectionStatus.CLOSED
    with pytest.raises(ValidationError, match="closed"):
        propose(connection, member)


# --- held -----------------------------------------------------------------------


def test_marking_a_past_agreed_session_held_counts_it_once(connection, member, supporter, clock):
    made = propose(connection, member, at=clock.at + dt.timedelta(days=1))
    sessions.agree(session=made, actor=supporter)
    clock.advance(days=1, minutes=5)
    sessions.mark_held(session=made, actor=supporter)
    made.refresh_from_db()
    connection.refresh_from_db()
    assert made.status == SessionStatus.HELD and made.held_at == clock.at
    assert connection.sessions_held == 1
    with pytest.raises(ValidationError):
        sessions.mark_held(session=made, actor=member)
    connection.refresh_from_db()
    assert connection.sessions_held == 1


def test_a_session_not_yet_begun_or_not_agreed_cannot_be_marked_held(connection, member, supporter):
    made = propose(connection, member)
    with pytest.raises(ValidationError):
        sessions.mark_held(session=made, actor=member)
    sessions.agree(session=made, actor=supporter)
    with pytest.raises(ValidationError):
        sessions.mark_held(session=made, actor=member)
    connection.refresh_from_db()
    assert connection.sessions_held == 0


def test_held_sessions_bring_the_review_point_due(connection, member, supporter, clock):
    connection.review_due_sessions = 1
    connection.save()
    made = propose(connection, member, at=clock.at + dt.timedelta(hours=2))
    sessions.agree(session=made, actor=supporter)
    clock.advance(hours=3)
    sessions.mark_held(session=made, actor=member)
    connection.refresh_from_db()
    assert connection.review_is_due()
