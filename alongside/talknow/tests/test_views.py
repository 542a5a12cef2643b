"""The member's pages, the supporter's offers and accept, and the conversation's end, over HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.calls.access import call_party
from alongside.lib.time import now
from alongside.library.models import Resource
from alongside.roster.models import ContactRecord
from alongside.service.selectors import ServiceSnapshot, forget_snapshot
from alongside.talknow import services
from alongside.talknow.models import Medium, State, TalkNowOffer, TalkNowRequest
from alongside.talknow.selectors import expected_wait
from tests import factories

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def on_shift(db):  # type: ignore[no-untyped-def]
    people = [factories.supporter(display_name=f"Shift {i}") for i in range(2)]
    factories.shift(primary=people)
    return people


@pytest.mark.usefixtures("open_service")
def test_pressing_talk_now_makes_a_request_and_shows_the_waiting_page(member_client, member, on_shift):
    topic = factories.TopicFactory()
    response = member_client.post(reverse("talknow:start"), {"medium": "voice", "topics": [topic.pk]})
    req = TalkNowRequest.objects.get(member=member)
    assert response.status_code == 302 and response["Location"] == f"/talk-now/{req.pk}/"
    assert req.medium == Medium.VOICE and list(req.topics.all()) == [topic]
    page = member_client.get(response["Location"]).content.decode()
    assert "2 supporters are on shift" in page
    assert "know yet how long it will be" in page  # no history to go on: no invented figure
    assert f'data-ws="/ws/talk-now/{req.pk}/"' in page
    # Pressing again leads back to the same request.
    assert member_client.get(reverse("talknow:start"))["Location"] == f"/talk-now/{req.pk}/"


@pytest.mark.usefixtures("open_service")
def test_a_form_with_no_medium_saves_nothing(member_client):
    response = member_client.post(reverse("talknow:start"), {"medium": "fax"})
    assert response.status_code == 200 and "Choose chat or voice." in response.content.decode()
    assert not TalkNowRequest.objects.exists()


@pytest.mark.usefixtures("closed_service")
def test_outside_hours_the_member_sees_the_crisis_lines_and_a_call_back(member_client):
    Resource.objects.create(title="Lifeline", phone="13 11 14", is_crisis=True, is_public=True, region="NAT")
    forget_snapshot()
    page = member_client.get(reverse("talknow:start")).content.decode()
    assert "We are closed right now" in page and 'href="/call-back/"' in page
    assert "13 11 14" in page
    assert member_client.post(reverse("talknow:start"), {"medium": "chat"}).status_code == 200
    assert not TalkNowRequest.objects.exists()


@pytest.mark.usefixtures("open_service")
def test_the_member_can_cancel(member_client, member, on_shift):
    req = services.ask(member=member, medium=Medium.CHAT)
    response = member_client.post(reverse("talknow:cancel", args=[req.pk]))
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == State.CANCELLED
    assert "You cancelled" in member_client.get(response["Location"]).content.decode()


@pytest.mark.usefixtures("open_service")
def test_another_member_cannot_see_or_cancel_a_request(member, outsider_client, on_shift):
    req = services.ask(member=member, medium=Medium.CHAT)
    for name in ("talknow:request", "talknow:conversation", "talknow:closed"):
        assert outsider_client.get(reverse(name, args=[req.pk])).status_code == 404
    assert outsider_client.post(reverse("talknow:cancel", args=[req.pk])).status_code == 404
    req.refresh_from_db()
    assert req.state == State.WAITING
    assert AuditEvent.objects.filter(action="talknow.request.view", outcome="denied").exists()


@pytest.mark.usefixtures("open_service")
def test_a_supporter_not_offered_cannot_accept(member, on_shift):
    req = services.ask(member=member, medium=Medium.CHAT)
    stranger = factories.supporter()
    offer = TalkNowOffer.objects.filter(request=req).first()
    assert _client(stranger).post(reverse("talknow:accept", args=[offer.pk])).status_code == 404
    req.refresh_from_db()
    assert req.state == State.WAITING


@pytest.mark.usefixtures("open_service")
def test_accept_then_a_late_accepter_sees_someone_else_has_it(member, member_client, on_shift):
    first, second = on_shift
    req = services.ask(member=member, medium=Medium.CHAT)
    offers = {o.supporter_id: o for o in TalkNowOffer.objects.filter(request=req)}
    response = _client(first).post(reverse("talknow:accept", args=[offers[first.pk].pk]))
    assert response["Location"] == f"/talk-now/{req.pk}/conversation/"
    late = _client(second).post(reverse("talknow:accept", args=[offers[second.pk].pk]), follow=True)
    assert late.status_code == 200 and "Someone else has it" in late.content.decode()
    # The member's waiting page moves into the conversation, which starts with the reminder.
    assert member_client.get(f"/talk-now/{req.pk}/")["Location"] == f"/talk-now/{req.pk}/conversation/"
    page = member_client.get(f"/talk-now/{req.pk}/conversation/").content.decode()
    assert "data-boundaries" in page and "supervision, mentoring," in page
    req.refresh_from_db()
    assert call_party(req.thread, member.pk) == first.pk and call_party(req.thread, first.pk) == member.pk
    assert call_party(req.thread, second.pk) is None


@pytest.mark.usefixtures("open_service")
def test_ending_sends_the_supporter_to_the_contact_record_and_the_member_to_the_close(member, member_client, on_shift):
    supporter = on_shift[0]
    req = services.ask(member=member, medium=Medium.VOICE)
    services.accept(offer=TalkNowOffer.objects.get(request=req, supporter=supporter), supporter=supporter)
    req.refresh_from_db()
    response = _client(supporter).post(reverse("talknow:end", args=[req.pk]))
    assert response["Location"] == f"/shifts/contacts/{req.contact_id}/"
    assert ContactRecord.objects.get(pk=req.contact_id).ended_at is not None
    req.refresh_from_db()
    assert call_party(req.thread, member.pk) is None  # no calls in a closed conversation
    close = member_client.get(f"/talk-now/{req.pk}/conversation/", follow=True).content.decode()
    assert "Talk now again" in close and "Ask for an ongoing peer" in close
    assert 'href="/library/"' in close


def test_the_offers_page_lists_only_ones_own_open_offers(member, monkeypatch):
    monkeypatch.setattr(ServiceSnapshot, "is_open_at", lambda self, moment: True)
    mine, other = factories.supporter(), factories.supporter()
    factories.shift(primary=[mine, other])
    req = services.ask(member=member, medium=Medium.CHAT)
    page = _client(mine).get(reverse("talknow:offers")).content.decode()
    offer = TalkNowOffer.objects.get(request=req, supporter=mine)
    assert f"/talk-now/offers/{offer.pk}/accept/" in page
    assert f"/talk-now/offers/{TalkNowOffer.objects.get(request=req, supporter=other).pk}/accept/" not in page
    assert member.display_name not in page
    # Every page of the supporter carries the banner for it.
    assert f'data-offer="{offer.pk}"' in _client(mine).get("/library/").content.decode()


def test_the_expected_wait_is_the_middle_of_recent_waits_and_says_so():
    supporter = factories.supporter()
    factories.shift(primary=[supporter])
    at = now()
    assert expected_wait(at).expected is None
    for minutes in (1, 2, 9):
        TalkNowRequest.objects.create(
            member=factories.member(),
            state=State.ENDED,
            created_at=at - dt.timedelta(hours=1),
            connected_at=at - dt.timedelta(hours=1) + dt.timedelta(minutes=minutes),
            supporter=supporter,
        )
    wait = expected_wait(at)
    assert wait.expected == dt.timedelta(minutes=2)
    assert wait.text == "Recently, people have waited about 2 minutes (the middle of the last 3 waits)."
    assert wait.shift_text == "1 supporter is on shift."
