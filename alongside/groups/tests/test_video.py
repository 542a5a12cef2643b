"""The video room: members only, open only in its windows (a meeting, a drop-in, a debrief), and the signed token's
every claim when the server has an app id and secret."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.test import Client
from django.urls import reverse

from alongside.audit.models import AuditEvent, Outcome
from alongside.connections.tests import factories as cf
from alongside.connections.tests.conftest import clock  # noqa: F401
from alongside.conversations.models import ThreadMember
from alongside.groups import meetings, services, video
from alongside.groups.models import Debrief, DebriefMode, GroupKind, JoinPolicy, Meeting
from tests import factories

pytestmark = pytest.mark.django_db

JITSI = "https://meet.example.org"
APP_ID = "alongside-test"
SECRET = "a-long-shared-secret-for-the-test-only-0123456789"


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def signing(settings):
    settings.ALONGSIDE_JITSI_URL = JITSI
    settings.ALONGSIDE_JITSI_APP_ID = APP_ID
    settings.ALONGSIDE_JITSI_SECRET = SECRET


@pytest.fixture
def unsigned(settings):
    settings.ALONGSIDE_JITSI_URL = JITSI
    settings.ALONGSIDE_JITSI_APP_ID = ""
    settings.ALONGSIDE_JITSI_SECRET = ""


@pytest.fixture
def circle():
    facilitator = factories.supporter(display_name="Fran Facilitator")
    group = services.create_group(
        kind=GroupKind.CIRCLE,
        name="Interns",
        created_by=factories.coordinator(),
        facilitators=[facilitator],
        join_policy=JoinPolicy.OPEN,
    )
    member = factories.member(display_name="Mo Member")
    services.join(group=group, user=member, accepted_agreement=True)
    return group, facilitator, member


def _room(group) -> str:
    return reverse("group_meetings:room", args=[group.pk])


def _claims(location: str) -> dict:
    """The token's claims, its signature, audience and issuer verified. Its times are checked by each test against
    the test's own clock (the real one is behind it), not by pyjwt against the real one."""
    (token,) = parse_qs(urlsplit(location).query)["jwt"]
    options = {"verify_nbf": False, "verify_exp": False, "require": ["aud", "iss", "sub", "room", "nbf", "exp"]}
    return jwt.decode(token, SECRET, algorithms=["HS256"], audience="jitsi", issuer=APP_ID, options=options)


def test_inside_the_window_a_member_goes_to_the_room_with_a_token_and_every_claim_checks(
    circle,
    clock,  # noqa: F811
    signing,
):
    group, facilitator, member = circle
    made = meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(minutes=30), minutes=60)
    clock.advance(minutes=21)  # 9 minutes before: open
    response = _client_for(member).get(_room(group))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{JITSI}/{group.room}?jwt=")
    claims = _claims(location)
    assert claims["aud"] == "jitsi"
    assert claims["iss"] == APP_ID
    assert claims["sub"] == "meet.example.org"
    assert claims["room"] == group.room
    assert claims["nbf"] == int((clock.at - video.NOT_BEFORE_SKEW).timestamp())
    assert claims["exp"] == int((made.ends_at + video.TOKEN_GRACE).timestamp())
    user = claims["context"]["user"]
    assert user["name"] == "Mo Member"
    assert user["moderator"] is False
    assert set(user) == {"id", "name", "moderator"}  # no email, no avatar
    assert str(member.pk) != user["id"] and member.email not in location
    member_membership = group.memberships.get(user=member)
    assert user["id"] == video.opaque_id(member_membership)
    entered = AuditEvent.objects.get(action="groups.room.entered")
    assert entered.outcome == Outcome.OK and entered.details == {"moderator": False}


def test_only_a_facilitator_is_a_moderator(circle, clock, signing):  # noqa: F811
    group, facilitator, member = circle
    meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(minutes=5), minutes=60)
    location = _client_for(facilitator).get(_room(group))["Location"]
    (token,) = parse_qs(urlsplit(location).query)["jwt"]
    # The test's clock reads the real time here, so pyjwt's own checks of nbf and exp pass too.
    jwt.decode(token, SECRET, algorithms=["HS256"], audience="jitsi", issuer=APP_ID)
    facilitator_claims = _claims(location)
    member_claims = _claims(_client_for(member).get(_room(group))["Location"])
    assert facilitator_claims["context"]["user"]["moderator"] is True
    assert facilitator_claims["context"]["user"]["name"] == "Fran Facilitator"
    assert member_claims["context"]["user"]["moderator"] is False
    assert facilitator_claims["context"]["user"]["id"] != member_claims["context"]["user"]["id"]


def test_a_token_signed_with_another_secret_does_not_verify(circle, clock, signing):  # noqa: F811
    group, facilitator, member = circle
    meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(minutes=5), minutes=60)
    (token,) = parse_qs(urlsplit(_client_for(member).get(_room(group))["Location"]).query)["jwt"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another secret entirely, just as long as it", algorithms=["HS256"], audience="jitsi")


def test_without_an_app_secret_the_address_has_no_token(circle, clock, unsigned):  # noqa: F811
    group, facilitator, member = circle
    meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(minutes=5), minutes=60)
    response = _client_for(member).get(_room(group))
    assert response.status_code == 302
    assert response["Location"] == f"{JITSI}/{group.room}"


def test_outside_the_window_the_page_says_when_it_opens_in_the_persons_zone(circle, clock, signing):  # noqa: F811
    group, facilitator, member = circle
    cf.set_person(member, time_zone="Europe/London")
    start = dt.datetime(clock.at.year + 1, 1, 15, 9, 0, tzinfo=dt.UTC)  # 9 am in London in winter
    meetings.schedule(group=group, by=facilitator, starts_at=start, minutes=60)
    response = _client_for(member).get(_room(group))
    assert response.status_code == 200
    page = response.content.decode()
    assert "8:50 am" in page and "15 January" in page and "London time" in page
    assert not AuditEvent.objects.filter(action="groups.room.entered").exists()


def test_the_window_opens_ten_minutes_before_and_closes_at_the_end(circle, clock, signing):  # noqa: F811
    group, facilitator, member = circle
    made = meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(hours=2), minutes=30)
    client = _client_for(member)
    clock.at = made.starts_at - dt.timedelta(minutes=10, seconds=1)
    assert client.get(_room(group)).status_code == 200
    clock.at = made.starts_at - dt.timedelta(minutes=10)
    assert client.get(_room(group)).status_code == 302
    clock.at = made.ends_at - dt.timedelta(seconds=1)
    assert client.get(_room(group)).status_code == 302
    clock.at = made.ends_at
    response = client.get(_room(group))
    assert response.status_code == 200
    assert "No meeting is planned" in response.content.decode()


def test_a_cancelled_meeting_opens_no_room(circle, clock, signing):  # noqa: F811
    group, facilitator, member = circle
    made = meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(minutes=5), minutes=60)
    meetings.cancel(meeting=made, by=facilitator)
    assert _client_for(member).get(_room(group)).status_code == 200


def test_outsiders_and_people_who_left_get_an_audited_404(circle, clock, signing):  # noqa: F811
    group, facilitator, member = circle
    meetings.schedule(group=group, by=facilitator, starts_at=clock.at + dt.timedelta(minutes=5), minutes=60)
    before = AuditEvent.objects.filter(outcome=Outcome.DENIED).count()
    assert _client_for(factories.member()).get(_room(group)).status_code == 404
    assert _client_for(factories.coordinator()).get(_room(group)).status_code == 404
    services.leave(group=group, user=member)
    assert _client_for(member).get(_room(group)).status_code == 404
    assert AuditEvent.objects.filter(outcome=Outcome.DENIED).count() == before + 3
    assert not AuditEvent.objects.filter(action="groups.room.entered").exists()


def test_a_drop_ins_room_opens_ten_minutes_before_it_starts_until_it_ends(clock, signing):  # noqa: F811
    facilitator = factories.supporter()
    starts = clock.at + dt.timedelta(hours=1)
    group = services.create_group(
        kind=GroupKind.DROP_IN,
        name="Friday drop-in",
        created_by=facilitator,
        facilitators=[facilitator],
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=45),
    )
    member = factories.member()
    services.join(group=group, user=member, accepted_agreement=True)
    client = _client_for(member)
    assert client.get(_room(group)).status_code == 200
    clock.at = starts - dt.timedelta(minutes=10)
    response = client.get(_room(group))
    assert response.status_code == 302
    assert _claims(response["Location"])["exp"] == int((starts + dt.timedelta(minutes=60)).timestamp())
    clock.at = starts + dt.timedelta(minutes=45)
    assert client.get(_room(group)).status_code == 200


def _debrief(mode: str, lead):
    group = services.create_group(
        kind=GroupKind.DEBRIEF, name="Debrief", created_by=lead, facilitators=[lead], capacity=30
    )
    Debrief.objects.create(
        group=group,
        mode=mode,
        started_by=lead,
        start_key=f"key-{mode}",
        invite_selector=f"sel-{mode}",
        invite_verifier_hash="0" * 64,
        invite_expires_at=group.created_at + dt.timedelta(hours=4),
    )
    return group


def test_a_hot_debriefs_room_is_open_until_it_ends_and_a_guest_shows_their_first_name(clock, signing):  # noqa: F811
    lead = factories.supporter(is_debrief_lead=True)
    group = _debrief(DebriefMode.HOT, lead)
    guest = factories.member(is_guest=True)
    membership = services._lock(group).memberships.create(
        user=guest, state="active", joined_at=clock.at, agreement_version=1, agreement_accepted_at=clock.at
    )
    ThreadMember.objects.create(thread_id=group.thread_id, user=guest, joined_at=clock.at, shown_name="Sam")
    clock.advance(hours=2)
    response = _client_for(guest).get(_room(group))
    assert response.status_code == 302
    claims = _claims(response["Location"])
    assert claims["context"]["user"]["name"] == "Sam"
    assert claims["context"]["user"]["moderator"] is False
    assert claims["context"]["user"]["id"] == video.opaque_id(membership)
    assert claims["exp"] == int((clock.at + dt.timedelta(hours=video.MAX_TOKEN_HOURS)).timestamp())
    assert _claims(_client_for(lead).get(_room(group))["Location"])["context"]["user"]["moderator"] is True
    services.end_group(group=group)
    assert _client_for(guest).get(_room(group)).status_code == 200


def test_a_cold_debriefs_room_opens_around_its_meeting(clock, signing):  # noqa: F811
    lead = factories.supporter(is_debrief_lead=True)
    group = _debrief(DebriefMode.COLD, lead)
    client = _client_for(lead)
    assert client.get(_room(group)).status_code == 200
    Meeting.objects.create(group=group, starts_at=clock.at + dt.timedelta(hours=30), minutes=60, created_by=lead)
    assert client.get(_room(group)).status_code == 200
    clock.advance(hours=29, minutes=55)
    assert client.get(_room(group)).status_code == 302
