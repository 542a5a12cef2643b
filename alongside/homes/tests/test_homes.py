"""Each role's home at ``/``: a member's, a supporter's and a coordinator's, and switching between them."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from alongside.connections.models import Offer
from alongside.connections.tests import factories as cf
from alongside.conversations.services import get_or_create_thread_for_connection, post_message
from alongside.directory.models import Language
from alongside.homes import selectors as homes
from alongside.lib.time import now
from alongside.meetings.models import Session, SessionStatus
from alongside.service.models import ServiceSettings
from alongside.service.selectors import forget_snapshot
from tests import factories

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _session(connection, *, starts_in: dt.timedelta, medium="chat", status=SessionStatus.AGREED, by=None) -> Session:
    at = now()
    return Session.objects.create(
        connection=connection,
        proposed_by=by or connection.member,
        starts_at=at + starts_in,
        minutes=60,
        medium=medium,
        proposed_in="Australia/Melbourne",
        status=status,
        agreed_at=at if status == SessionStatus.AGREED else None,
    )


# --- a member's home ------------------------------------------------------------------


def test_a_member_sees_their_peer_next_session_and_unread_messages(member, member_client, supporter):
    connection = cf.connection(member, supporter)
    _session(connection, starts_in=dt.timedelta(days=2))
    thread = get_or_create_thread_for_connection(connection=connection)
    post_message(thread_id=thread.pk, sender_id=supporter.pk, client_key="1", body="How are you going?")
    body = member_client.get("/").content.decode()
    assert "Welcome back, Alice" in body
    assert "Your peer Bob" in body and reverse("connections:connection_detail", args=[connection.pk]) in body
    assert "Your next session" in body and "60 minutes with Bob · Chat" in body
    assert "Bob: 1 unread message" in body
    assert "How are you going?" not in body  # a count, never the words
    assert "Join the session" not in body  # two days away
    assert "Ask for an ongoing peer" not in body  # they have one: a different one is asked for on its page


def test_a_member_with_an_open_request_follows_it_from_home(member, member_client):
    request = cf.support_request(member)
    body = member_client.get("/").content.decode()
    assert "Your request for a peer: choosing a peer." in body
    assert reverse("connections:request_detail", args=[request.pk]) in body
    assert "Ask for an ongoing peer" not in body


def test_a_new_member_is_asked_first_whether_they_want_a_peer(member_client):
    body = member_client.get("/").content.decode()
    assert "Ask for an ongoing peer" in body and reverse("connections:request_new") in body


@pytest.mark.parametrize(
    ("starts_in", "joinable"),
    [
        (dt.timedelta(minutes=6), False),  # too early
        (dt.timedelta(minutes=4), True),  # a few minutes before
        (dt.timedelta(minutes=-30), True),  # under way
        (dt.timedelta(minutes=-59), True),  # its last minute
    ],
)
def test_the_join_button_shows_from_a_few_minutes_before_until_the_end(member, supporter, starts_in, joinable):
    connection = cf.connection(member, supporter)
    _session(connection, starts_in=starts_in)
    home = homes.member_home(member)
    assert [s.joinable for s in home.sessions] == [joinable]
    assert (home.session_now is not None) == joinable


def test_a_session_that_has_ended_is_no_longer_next(member, supporter):
    _session(cf.connection(member, supporter), starts_in=dt.timedelta(minutes=-61))
    assert homes.member_home(member).sessions == []


def test_join_leads_to_the_sessions_medium(member, member_client, supporter):
    connection = cf.connection(member, supporter)
    _session(connection, starts_in=dt.timedelta(minutes=2), medium="voice")
    body = member_client.get("/").content.decode()
    thread = reverse("conversations:connection_thread", args=[connection.pk])
    assert "Your session with Bob is on now" in body
    assert f'href="{thread}#call">Join the session</a>' in body  # in-app voice: the call on the thread page
    Session.objects.update(medium="chat")
    assert f'href="{thread}">Join the session</a>' in member_client.get("/").content.decode()
    Session.objects.update(medium="video")  # no video in the app yet: nothing to join
    assert "Join the session" not in member_client.get("/").content.decode()


def test_an_unanswered_proposal_asks_for_an_answer(member, member_client, supporter):
    connection = cf.connection(member, supporter)
    made = _session(connection, starts_in=dt.timedelta(days=1), status=SessionStatus.PROPOSED, by=supporter)
    body = member_client.get("/").content.decode()
    assert "Bob proposed this time." in body and reverse("meetings:session_detail", args=[made.pk]) in body


# --- a supporter's home ---------------------------------------------------------------


def test_a_supporter_sees_offers_waiting_their_connections_and_next_sessions(member, other_member, supporter):
    profile = cf.supporter_profile(supporter)
    connection = cf.connection(member, supporter)
    _session(connection, starts_in=dt.timedelta(hours=3))
    cf.offer(cf.support_request(other_member), profile)
    body = client_for(supporter).get("/").content.decode()
    assert "<h1>Welcome back, Bob</h1>" in body
    assert "You have 1 offer to support a colleague waiting for your reply." in body
    assert f'href="{reverse("connections:offers")}">You have 1 offer' in body
    assert "Supporting Alice" in body and "60 minutes with Alice · Chat" in body
    assert "Ask for an ongoing peer" not in body
    assert f'href="{reverse("roster:my_shifts")}">Shifts</a>' in body  # the roster is one click away


def test_a_supporter_with_nothing_waiting_is_told_so(supporter_client, supporter):
    cf.supporter_profile(supporter)
    body = supporter_client.get("/").content.decode()
    assert "No offers are waiting for you." in body and "You are not supporting anyone just now." in body


# --- a coordinator's home -------------------------------------------------------------


@pytest.fixture
def waiting(member, other_member, supporter):
    """Two requests with the coordinators (one in a language no supporter speaks) and an offer lapsing in 2 hours."""
    cf.supporter_profile(supporter)
    english = cf.support_request(member, status="waitlist", waitlisted_at=now() - dt.timedelta(days=3))
    klingon = Language.objects.create(code="tlh", name="Klingon")
    alone = cf.support_request(other_member, status="waitlist", waitlisted_at=now() - dt.timedelta(hours=5))
    alone.languages.set([klingon])
    third = factories.member(display_name="Theo")
    cf.offer(cf.support_request(third), cf.clean_supporter(), expires_at=now() + dt.timedelta(hours=2))
    return {"english": english, "alone": alone}


def test_a_coordinator_sees_what_needs_attention_with_links(coordinator_client, waiting):
    body = coordinator_client.get("/").content.decode()
    assert "<h1>Welcome back, Carol</h1>" in body and "What needs attention" in body
    assert "2 requests are with the coordinators." in body and "The oldest has waited 3\xa0days" in body
    assert reverse("console:waitlist") in body
    assert "1 offer lapses within 12 hours" in body
    nobody = body[body.index('id="nobody-heading"') :]
    assert reverse("console:request_match", args=[waiting["alone"].pk]) in nobody
    assert "Olive" in nobody and "none of the rest speaks the member&#x27;s languages" in nobody
    assert reverse("console:request_match", args=[waiting["english"].pk]) not in nobody


def test_a_quiet_day_says_nothing_needs_the_coordinator(coordinator_client):
    body = coordinator_client.get("/").content.decode()
    assert "Nothing needs you just now" in body and "No request is with the coordinators." in body


def test_offers_lapsing_later_are_not_about_to_lapse(coordinator_client, member, supporter):
    cf.offer(cf.support_request(member), cf.supporter_profile(supporter), expires_at=now() + dt.timedelta(hours=40))
    assert "No offer lapses within 12 hours." in coordinator_client.get("/").content.decode()
    assert Offer.objects.count() == 1


# --- several roles --------------------------------------------------------------------


def test_someone_with_several_roles_starts_at_the_most_specific_and_can_switch(member):
    both = factories.coordinator(display_name="Casey", is_supporter=True)
    client = client_for(both)
    body = client.get("/").content.decode()
    assert "What needs attention" in body
    assert 'aria-label="Your homes"' in body and '<a href="?as=supporter">Supporter</a>' in body
    assert "Offers to support a colleague" in client.get("/?as=supporter").content.decode()
    assert "Offers to support a colleague" in client.get("/").content.decode()  # remembered in the session
    assert "Welcome back, Casey" in client.get("/?as=member").content.decode()


def test_a_role_the_person_does_not_hold_cannot_be_chosen(member_client):
    body = member_client.get("/?as=coordinator").content.decode()
    assert "Welcome back, Alice" in body and "What needs attention" not in body
    assert 'aria-label="Your homes"' not in body  # one role: no switch
    assert member_client.session.get(homes.SESSION_KEY) is None


# --- formats: only what exists and is switched on -------------------------------------


def _switch(**formats: bool) -> None:
    ServiceSettings.objects.update_or_create(pk=1, defaults=formats)
    forget_snapshot()


def test_the_home_page_offers_only_formats_that_exist_and_are_switched_on(client):
    _switch(offers_talk_now=True, offers_ongoing=True, offers_groups=True)
    body = client.get("/").content.decode()
    assert "<h3>An ongoing peer</h3>" in body and "<h3>Talk now</h3>" in body
    assert "<h3>Groups</h3>" not in body  # not built yet
    assert "Not offered here yet: Groups." in body
    _switch(offers_talk_now=False, offers_ongoing=False, offers_groups=True)
    body = client.get("/").content.decode()
    assert "<h3>An ongoing peer</h3>" not in body and "Not offered here yet: Groups." in body


def test_a_member_is_not_invited_to_a_format_switched_off(member_client):
    _switch(offers_ongoing=False, offers_talk_now=False)
    body = member_client.get("/").content.decode()
    assert "Ask for an ongoing peer" not in body and "/talk-now/" not in body


def test_a_members_home_has_a_talk_now_entry(member_client):
    _switch(offers_talk_now=True)
    body = member_client.get("/").content.decode()
    assert 'href="/talk-now/"' in body


def test_the_settings_say_which_formats_are_not_built_yet():
    from alongside.service.forms import FORMATS

    labels = dict(FORMATS)
    assert labels["offers_ongoing"] == "Ongoing one-to-one peer connections"
    assert labels["offers_talk_now"] == "Talk now (one-off conversations)"
    assert labels["offers_groups"].endswith("not built yet, so nobody is offered it even when ticked")


# --- query budgets: each home stays a handful of queries however much there is --------


def test_a_members_home_stays_within_its_query_budget(member, django_assert_max_num_queries):
    for i in range(3):
        connection = cf.connection(member, factories.supporter(display_name=f"Peer {i}"))
        _session(connection, starts_in=dt.timedelta(days=i + 1))
        thread = get_or_create_thread_for_connection(connection=connection)
        post_message(thread_id=thread.pk, sender_id=connection.supporter.user_id, client_key="1", body="hi")
    client = client_for(member)
    client.get("/")  # warm the service snapshot, as every page does
    with django_assert_max_num_queries(14):
        body = client.get("/").content.decode()
    assert body.count("1 unread message") == 3


def test_a_supporters_home_stays_within_its_query_budget(supporter, django_assert_max_num_queries):
    profile = cf.supporter_profile(supporter, capacity=10)
    for i in range(3):
        person = factories.member(display_name=f"Member {i}")
        connection = cf.connection(person, supporter)
        _session(connection, starts_in=dt.timedelta(days=i + 1))
        cf.offer(cf.support_request(factories.member(display_name=f"Asker {i}")), profile)
    client = client_for(supporter)
    client.get("/")
    # Three of these are the roster's: the shift on now (or the next one) and the contact records to file.
    with django_assert_max_num_queries(17):
        body = client.get("/").content.decode()
    assert "You have 3 offers" in body and body.count("Supporting Member") == 3


def test_a_coordinators_home_stays_within_its_query_budget(coordinator, django_assert_max_num_queries, waiting):
    for i in range(3):
        cf.support_request(factories.member(display_name=f"Waiting {i}"), status="waitlist", waitlisted_at=now())
    client = client_for(coordinator)
    client.get("/")
    # Most of these read the supporters as the matching engine sees them, once for every request checked; two are the
    # on-call rota's (its gaps, and the coordinator's own turns on call), two the safety concerns' (the open ones'
    # summary, and the alerts this coordinator's every page shows).
    with django_assert_max_num_queries(32):
        body = client.get("/").content.decode()
    assert "5 requests are with the coordinators." in body
