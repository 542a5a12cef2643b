import datetime as dt
import logging

import pytest
from django.conf import settings
from django.test import Client
from icalendar import Calendar

from alongside.audit.models import AuditEvent
from alongside.connections.tests import factories as cf
from alongside.meetings import calendar
from alongside.meetings import services as sessions
from alongside.meetings.models import CalendarFeed

pytestmark = pytest.mark.django_db


@pytest.fixture
def connection(member, supporter, exams):
    made = cf.connection(member, supporter)
    made.request.topics.set([exams])
    return made


def agreed(connection, proposer, answerer, *, days: float = 2, minutes: int = 60):
    made = sessions.propose(
        connection=connection,
        actor=proposer,
        starts_at=dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=days),
        minutes=minutes,
        medium="phone",
    )
    sessions.agree(session=made, actor=answerer)
    made.refresh_from_db()
    return made


def feed_url(token: str) -> str:
    return f"/calendar/{token}.ics"


def events(response) -> list:
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_the_feed_lists_the_persons_agreed_sessions_without_sign_in(connection, member, supporter):
    first = agreed(connection, member, supporter, days=2)
    sessions.propose(
        connection=connection,
        actor=member,
        starts_at=first.starts_at + dt.timedelta(days=7),
        minutes=60,
        medium="chat",
    )  # proposed, not agreed: left out
    token = calendar.reset_feed(user=supporter)
    response = Client().get(feed_url(token))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    (event,) = events(response)
    assert str(event["SUMMARY"]) == "Peer support session"
    assert event.decoded("DTSTART") == first.starts_at
    assert str(event["URL"]).endswith(f"/sessions/{first.pk}/")


def test_the_feed_names_no_one_and_no_topic(connection, member, supporter, exams):
    agreed(connection, member, supporter)
    token = calendar.reset_feed(user=member)
    body = Client().get(feed_url(token)).content.decode()
    for secret in ("Alice", "Bob", member.email, supporter.email, exams.name, "phone", "Phone"):
        assert secret not in body


def test_cancelled_sessions_and_other_peoples_sessions_are_left_out(connection, member, supporter, other_member):
    gone = agreed(connection, member, supporter)
    sessions.cancel(session=gone, actor=member)
    theirs = cf.connection(other_member, supporter)
    agreed(theirs, other_member, supporter)
    token = calendar.reset_feed(user=member)
    assert events(Client().get(feed_url(token))) == []


def test_a_new_address_makes_the_old_one_404(connection, member, supporter):
    agreed(connection, member, supporter)
    old = calendar.reset_feed(user=member)
    new = calendar.reset_feed(user=member)
    assert Client().get(feed_url(old)).status_code == 404
    assert Client().get(feed_url(new)).status_code == 200


def test_revoking_the_feed_makes_its_address_404(member, member_client):
    token = calendar.reset_feed(user=member)
    assert Client().get(feed_url(token)).status_code == 200
    response = member_client.post("/calendar/", {"action": "revoke"})
    assert response.status_code == 302
    assert not CalendarFeed.objects.filter(user=member).exists()
    assert Client().get(feed_url(token)).status_code == 404


def test_only_a_hash_of_the_secret_is_stored(member):
    token = calendar.reset_feed(user=member)
    feed = CalendarFeed.objects.get(user=member)
    verifier = token[calendar.SELECTOR_LENGTH :]
    assert len(verifier) >= 40
    assert verifier not in feed.selector + feed.verifier_hash
    assert feed.selector == token[: calendar.SELECTOR_LENGTH]


@pytest.mark.parametrize("tamper", ["verifier", "selector", "short"])
def test_a_wrong_or_partial_token_is_refused(member, tamper):
    token = calendar.reset_feed(user=member)
    bad = {
        "verifier": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "selector": ("0" if token[0] != "0" else "1") + token[1:],
        "short": token[: calendar.SELECTOR_LENGTH],
    }[tamper]
    assert Client().get(feed_url(bad)).status_code == 404


def test_a_deactivated_persons_feed_is_gone(member):
    token = calendar.reset_feed(user=member)
    member.is_active = False
    member.save()
    assert Client().get(feed_url(token)).status_code == 404


def test_the_token_reaches_neither_the_audit_trail_nor_the_log(member, member_client, caplog):
    caplog.set_level(logging.DEBUG)
    response = member_client.post("/calendar/", {"action": "reset"})
    token = CalendarFeed.objects.get(user=member).selector
    shown = response.content.decode()
    full = shown[shown.index("/calendar/" + token) + len("/calendar/") :].split(".ics")[0]
    Client().get(feed_url(full))
    Client().get(feed_url(full[:-2] + "zz"))  # a wrong one: 404, and not logged with its path
    member_client.post("/calendar/", {"action": "reset"})
    member_client.post("/calendar/", {"action": "revoke"})
    Client().get(feed_url(full))
    trail = " ".join(f"{e.action} {e.target_id} {e.details}" for e in AuditEvent.objects.all())
    assert {"connections.calendar.created", "connections.calendar.reset", "connections.calendar.revoked"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )
    assert token not in trail and full[calendar.SELECTOR_LENGTH :] not in trail
    assert token not in caplog.text


def test_the_settings_page_shows_a_new_address_once(member, member_client):
    page = member_client.get("/calendar/")
    assert b"Your feed is off." in page.content
    made = member_client.post("/calendar/", {"action": "reset"})
    selector = CalendarFeed.objects.get(user=member).selector
    assert f"{settings.SITE_URL}/calendar/{selector}".encode() in made.content
    assert b'href="webcal://' in made.content
    assert b"Copy it now" in made.content
    again = member_client.get("/calendar/")
    assert selector.encode() not in again.content
    assert b"Your feed is on." in again.content
    assert again["Cache-Control"].startswith("max-age=0")


def test_an_unknown_action_changes_nothing(member, member_client):
    calendar.reset_feed(user=member)
    before = CalendarFeed.objects.get(user=member).verifier_hash
    assert member_client.post("/calendar/", {"action": "explode"}).status_code == 302
    assert CalendarFeed.objects.get(user=member).verifier_hash == before
