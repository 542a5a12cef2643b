import pytest
from django.test import Client
from django.urls import reverse

from alongside.audit.models import AuditEvent, Outcome
from alongside.connections.models import (
    Connection,
    ConnectionStatus,
    EndKind,
    Feedback,
    Offer,
    OfferStatus,
    RequestStatus,
    Suggestion,
    SupportRequest,
)
from alongside.connections.tests import factories as cf
from alongside.directory.models import Language
from tests import factories

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(**overrides):
    data = {
        "peer_kind": "any",
        "same_specialty": "any",
        "gender_wanted": "",
        "languages": [str(pk) for pk in Language.objects.filter(code="en").values_list("pk", flat=True)],
        "formats": ["chat", "video"],
        "free_times": ["1-evening", "3-evening"],
        "note": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def peers(english, exams):
    """Four supporters, each with a bio and a workplace the member must never see."""
    made = []
    for i in range(4):
        profile = cf.clean_supporter(display_name=f"Peer{i}", bio=f"Bio of peer {i}.")
        profile.topics.set([exams])
        cf.set_person(profile.user, workplaces=[factories.WorkplaceFactory(name=f"Hospital {i}")])
        made.append(profile)
    return made


def test_a_suggestion_card_lists_every_specialty_the_supporter_gives_and_their_own(
    member_client, member, english, exams
):
    from alongside.directory.models import Specialty

    psychiatry, gp, surgery = (Specialty.objects.create(name=n) for n in ("Psychiatry", "General practice", "Surgery"))
    profile = cf.clean_supporter(display_name="Bob")
    profile.topics.set([exams])
    profile.specialties.set([psychiatry, gp])
    cf.set_person(profile.user, specialty=surgery)
    member_client.post(reverse("connections:request_new"), form_data(topics=[str(exams.pk)]))
    body = member_client.get(reverse("connections:request_detail", args=[SupportRequest.objects.get().pk]))
    assert "<dt>Specialties</dt><dd>General practice, Psychiatry, Surgery</dd>" in body.content.decode()


def test_a_member_asks_and_sees_three_suggestions_with_reasons_and_no_contact_details(
    member_client, member, peers, exams
):
    response = member_client.post(
        reverse("connections:request_new"), form_data(topics=[str(exams.pk)], note="Private words")
    )
    sr = SupportRequest.objects.get(member=member)
    assert response.status_code == 302 and response["Location"] == reverse("connections:request_detail", args=[sr.pk])
    assert sr.availability == [
        {"day": 1, "start": "17:00", "end": "22:00"},
        {"day": 3, "start": "17:00", "end": "22:00"},
    ]
    body = member_client.get(response["Location"]).content.decode()
    shown = Suggestion.objects.filter(request=sr).select_related("supporter__user")
    assert shown.count() == 3
    for s in shown:
        assert s.supporter.user.display_name in body
        assert s.supporter.bio in body
        assert s.supporter.user.email not in body
    assert "Has supported colleagues through training, assessment and exams" in body
    assert "Tuesday 6 pm – 9 pm" in body  # the shared evening, in the member's own time
    assert "Hospital" not in body
    assert "not enough history yet" in body
    assert "Right now 4 supporters who fit your request have room" in body


def test_the_form_refuses_an_oversized_note_and_saves_nothing(member_client, peers):
    response = member_client.post(reverse("connections:request_new"), form_data(note="x" * 1001))
    assert response.status_code == 200
    assert "Keep the note to 1000 characters or fewer" in response.content.decode()
    assert not SupportRequest.objects.exists()


def test_the_form_needs_a_language_and_a_format(member_client, peers):
    response = member_client.post(reverse("connections:request_new"), form_data(languages=[], formats=[]))
    assert response.status_code == 200
    assert response.content.decode().count('class="errors"') >= 2
    assert not SupportRequest.objects.exists()


def test_a_member_with_a_live_request_is_sent_to_it(member_client, member, peers):
    sr = cf.support_request(member)
    response = member_client.get(reverse("connections:request_new"))
    assert response["Location"] == reverse("connections:request_detail", args=[sr.pk])


def test_a_member_never_sees_another_members_request(outsider_client, member, peers):
    sr = cf.support_request(member)
    for name in ("request_detail",):
        assert outsider_client.get(reverse(f"connections:{name}", args=[sr.pk])).status_code == 404
    for name in ("request_pick", "request_more", "request_coordinators", "request_withdraw"):
        assert outsider_client.post(reverse(f"connections:{name}", args=[sr.pk])).status_code == 404
    sr.refresh_from_db()
    assert sr.status == RequestStatus.OPEN
    assert AuditEvent.objects.filter(action="connections.request.view", outcome=Outcome.DENIED).count() == 5


def test_picking_more_and_asking_the_coordinators(member_client, member, peers):
    member_client.post(reverse("connections:request_new"), form_data())
    sr = SupportRequest.objects.get(member=member)
    member_client.post(reverse("connections:request_more", args=[sr.pk]))
    assert Suggestion.objects.filter(request=sr).count() == 4
    body = member_client.get(reverse("connections:request_detail", args=[sr.pk])).content.decode()
    assert "Peers suggested earlier" in body
    member_client.post(reverse("connections:request_coordinators", args=[sr.pk]))
    sr.refresh_from_db()
    assert sr.status == RequestStatus.WAITLIST
    assert (
        "You asked the coordinators"
        in member_client.get(reverse("connections:request_detail", args=[sr.pk])).content.decode()
    )


def test_a_member_cannot_pick_a_suggestion_made_for_someone_else(member_client, member, other_member, peers):
    mine = cf.support_request(member)
    theirs = cf.support_request(other_member)
    foreign = Suggestion.objects.create(request=theirs, supporter=peers[0], rank=1, score=1.0)
    member_client.post(reverse("connections:request_pick", args=[mine.pk]), {"suggestion": foreign.pk})
    assert not Offer.objects.exists()


def test_from_request_to_connection_both_see_it_on_their_home_page(member_client, member, peers, exams):
    member_client.post(reverse("connections:request_new"), form_data(topics=[str(exams.pk)], note="Nights are hard"))
    sr = SupportRequest.objects.get(member=member)
    chosen = Suggestion.objects.get(request=sr, rank=1)
    member_client.post(reverse("connections:request_pick", args=[sr.pk]), {"suggestion": chosen.pk})
    body = member_client.get(reverse("connections:request_detail", args=[sr.pk])).content.decode()
    assert "Waiting for a reply" in body and chosen.supporter.user.display_name in body

    supporter_client = client_for(chosen.supporter.user)
    offers = supporter_client.get(reverse("connections:offers")).content.decode()
    assert "Exams" in offers and "Nights are hard" in offers
    assert member.email not in offers
    offer = Offer.objects.get(request=sr)
    response = supporter_client.post(reverse("connections:offer_accept", args=[offer.pk]))
    connection = Connection.objects.get(request=sr)
    assert response["Location"] == reverse("connections:connection_detail", args=[connection.pk])

    member_home = member_client.get("/").content.decode()
    supporter_home = supporter_client.get("/").content.decode()
    assert f"Your peer {chosen.supporter.user.display_name}" in member_home
    assert f"Supporting {member.display_name}" in supporter_home
    detail = supporter_client.get(reverse("connections:connection_detail", args=[connection.pk])).content.decode()
    assert "Nights are hard" in detail
    assert (
        "Nights are hard"
        not in member_client.get(reverse("connections:connection_detail", args=[connection.pk])).content.decode()
    )


def test_a_supporter_never_sees_another_supporters_offers(member, peers):
    offer = cf.offer(cf.support_request(member, note="Only for Peer0"), peers[0])
    other = client_for(peers[1].user)
    assert "Only for Peer0" not in other.get(reverse("connections:offers")).content.decode()
    assert other.post(reverse("connections:offer_accept", args=[offer.pk])).status_code == 404
    assert other.post(reverse("connections:offer_decline", args=[offer.pk])).status_code == 404
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING
    assert AuditEvent.objects.filter(action="connections.offer.view", outcome=Outcome.DENIED).count() == 2


def test_declining_needs_no_reason_and_moves_the_request_on(member, peers):
    sr = cf.support_request(member)
    offer = cf.offer(sr, peers[0])
    response = client_for(peers[0].user).post(reverse("connections:offer_decline", args=[offer.pk]))
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED
    assert Offer.objects.filter(request=sr, status=OfferStatus.PENDING).exclude(supporter=peers[0]).exists()


def test_outsiders_get_404_on_every_connection_page(member, supporter, outsider_client, coordinator_client):
    connection = cf.connection(member, supporter)
    for client in (outsider_client, coordinator_client):
        for name in ("connection_detail", "connection_close", "connection_change", "connection_block"):
            assert client.get(reverse(f"connections:{name}", args=[connection.pk])).status_code == 404
            assert client.post(reverse(f"connections:{name}", args=[connection.pk])).status_code == 404
    connection.refresh_from_db()
    assert connection.is_active


def test_closing_asks_the_member_three_anonymous_questions(member_client, member, supporter):
    connection = cf.connection(member, supporter)
    response = member_client.post(
        reverse("connections:connection_close", args=[connection.pk]), {"reason": "Not a good fit."}
    )
    assert response["Location"] == reverse("connections:connection_feedback", args=[connection.pk])
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.CLOSED and connection.end_reason == "Not a good fit."
    page = member_client.get(response["Location"]).content.decode()
    assert "I felt heard" in page and "I felt respected" in page and "I would recommend" in page
    member_client.post(response["Location"], {"felt_heard": "4", "felt_respected": "5", "would_recommend": "5"})
    assert Feedback.objects.get().felt_heard == 4
    # Asked once only.
    assert member_client.get(response["Location"])["Location"] == "/"


def test_the_supporter_closing_is_not_asked_for_feedback(member, supporter):
    connection = cf.connection(member, supporter)
    response = client_for(supporter).post(reverse("connections:connection_close", args=[connection.pk]), {})
    assert response["Location"] == "/"
    assert (
        client_for(supporter).get(reverse("connections:connection_feedback", args=[connection.pk])).status_code == 404
    )


def test_the_member_can_skip_the_questions(member_client, member, supporter):
    connection = cf.connection(member, supporter)
    member_client.post(reverse("connections:connection_close", args=[connection.pk]), {})
    member_client.post(reverse("connections:connection_feedback", args=[connection.pk]), {"skip": "1"})
    connection.refresh_from_db()
    assert not connection.feedback_pending and not Feedback.objects.exists()


def test_asking_for_a_different_peer_needs_no_reason_and_shows_new_suggestions(member_client, member, peers):
    connection = cf.connection(member, peers[0].user)
    page = member_client.get(reverse("connections:connection_change", args=[connection.pk])).content.decode()
    assert "don't need to give a reason" in page
    response = member_client.post(reverse("connections:connection_change", args=[connection.pk]))
    new = SupportRequest.objects.get(member=member, status=RequestStatus.OPEN)
    assert response["Location"] == reverse("connections:request_detail", args=[new.pk])
    connection.refresh_from_db()
    assert connection.end_kind == EndKind.CHANGE
    assert not Suggestion.objects.filter(request=new, supporter=peers[0]).exists()
    assert Suggestion.objects.filter(request=new).count() == 3


def test_blocking_from_the_page_ends_the_connection(member, supporter):
    connection = cf.connection(member, supporter)
    client_for(supporter).post(reverse("connections:connection_block", args=[connection.pk]), {"reason": ""})
    connection.refresh_from_db()
    assert connection.end_kind == EndKind.BLOCKED


def test_a_due_review_point_is_answered_from_the_page(member_client, member, supporter, clock):
    connection = cf.connection(member, supporter, review_due_at=clock.at)
    assert "A review point is due" in member_client.get("/").content.decode()
    url = reverse("connections:connection_review", args=[connection.pk])
    assert member_client.get(url).status_code == 200
    member_client.post(url, {"choice": "continue"})
    page = member_client.get(reverse("connections:connection_detail", args=[connection.pk])).content.decode()
    assert "waiting for" in page
    client_for(supporter).post(url, {"choice": "refer"})
    connection.refresh_from_db()
    assert connection.end_kind == EndKind.REFERRED


def test_the_home_page_invites_a_member_to_ask_for_a_peer(member_client):
    body = member_client.get("/").content.decode()
    assert reverse("connections:request_new") in body


def test_a_colleague_from_the_members_workplace_never_appears_however_many_times_they_ask(member_client, member, peers):
    shared = peers[1].user.profile.workplaces.get()
    cf.set_person(member, workplaces=[shared])
    member_client.post(reverse("connections:request_new"), form_data())
    sr = SupportRequest.objects.get(member=member)
    member_client.post(reverse("connections:request_more", args=[sr.pk]))
    member_client.post(reverse("connections:request_more", args=[sr.pk]))
    body = member_client.get(reverse("connections:request_detail", args=[sr.pk])).content.decode()
    assert peers[1].user.display_name not in body
    assert set(Suggestion.objects.filter(request=sr).values_list("supporter_id", flat=True)) == {
        peers[0].pk,
        peers[2].pk,
        peers[3].pk,
    }


def test_a_supporters_home_page_leads_to_their_offers_and_profile(supporter_client, member, peers):
    assert reverse("supporters:profile") in supporter_client.get("/").content.decode()
    cf.offer(cf.support_request(member), peers[0])
    body = client_for(peers[0].user).get("/").content.decode()
    assert "You have 1 offer to support a colleague waiting for your reply." in body


def test_a_peer_whose_name_ends_in_a_full_stop_is_named_with_one(member_client, member, english, exams):
    sam = cf.clean_supporter(display_name="Sam R.")
    sam.topics.set([exams])
    member_client.post(reverse("connections:request_new"), form_data(topics=[str(exams.pk)]))
    sr = SupportRequest.objects.get(member=member)
    chosen = Suggestion.objects.get(request=sr, supporter=sam)
    response = member_client.post(
        reverse("connections:request_pick", args=[sr.pk]), {"suggestion": chosen.pk}, follow=True
    )
    body = response.content.decode()
    assert "We have asked Sam R. They have 48 hours to reply" in body
    assert "Sam R.." not in body
