"""The supporters' offers page: what a supporter sees of a member before accepting."""

import pytest
from django.test import Client
from django.urls import reverse

from alongside.connections.tests import factories as cf
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(member, english, exams):
    """Alice asks for a peer by chat or voice, free Tuesday and Thursday evenings in Perth; Bob in Melbourne is asked."""
    specialty = factories.SpecialtyFactory(name="Emergency medicine")
    cf.set_person(member, specialty=specialty, workplaces=[factories.WorkplaceFactory(name="Fiona Stanley Hospital")])
    member.profile.real_name = "Alice Example"
    member.profile.save()
    request = cf.support_request(
        member,
        formats=["chat", "voice"],
        availability=[{"day": 1, "start": "17:00", "end": "22:00"}, {"day": 3, "start": "17:00", "end": "22:00"}],
        time_zone="Australia/Perth",
        note="Nights are hard",
    )
    request.topics.set([exams])
    supporter = cf.clean_supporter(display_name="Bob")
    cf.set_person(supporter.user, time_zone="Australia/Melbourne")
    return cf.offer(request, supporter)


def _offers_page(offer) -> str:
    client = Client()
    client.force_login(offer.supporter.user)
    return client.get(reverse("connections:offers")).content.decode()


def test_the_offer_shows_the_members_display_name_formats_and_free_times_in_the_supporters_time(offered, member):
    body = _offers_page(offered)
    assert "Offer from Alice</h2>" in body
    assert "Chat, In-app voice" in body and "Video link" not in body and "Phone (through" not in body
    # 5 pm to 10 pm in Perth is 8 pm to 1 am in Melbourne during daylight saving, 7 pm to midnight outside it.
    assert ("Tuesday 8 pm – 12 am" in body) or ("Tuesday 7 pm – 12 am" in body), body
    assert "Thursday" in body
    assert "Emergency medicine" in body and "Registrar" in body and "Exams" in body and "English" in body
    assert "Nights are hard" in body


def test_the_offer_shows_nothing_the_member_was_not_told_peers_see(offered, member):
    body = _offers_page(offered)
    assert member.email not in body
    assert "Alice Example" not in body
    assert "Fiona Stanley Hospital" not in body


def test_the_request_form_tells_the_member_exactly_what_the_peers_asked_see(member_client, english):
    body = member_client.get(reverse("connections:request_new")).content.decode()
    told = body[body.index('class="what-peers-see"') :]
    told = " ".join(told[: told.index("</p>")].split())
    for shown in ("display name", "career stage", "specialty", "languages", "what you would like to talk about"):
        assert shown in told
    for shown in ("the ways you would meet", "when you are usually free", "your note"):
        assert shown in told
    assert "Never your email, your real name or where you work." in told
