"""The coordinators' waitlist page and matching one request by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.connections import waitlist
from alongside.connections.models import REASON_MAX_LENGTH, Offer, OfferSource, RequestStatus, SupportRequest
from alongside.connections.tests import factories as cf
from alongside.directory.models import Language, Topic
from alongside.lib.time import now
from tests import factories

pytestmark = pytest.mark.django_db


def waiting(name: str, *, days_ago: float = 1.0, **fields: object) -> SupportRequest:
    at = now() - dt.timedelta(days=days_ago)
    member = factories.member(display_name=name)
    return cf.support_request(member, status=RequestStatus.WAITLIST, waitlisted_at=at, created_at=at, **fields)


def vietnamese_only(request: SupportRequest) -> SupportRequest:
    vietnamese, _ = Language.objects.get_or_create(code="vi", defaults={"name": "Vietnamese"})
    request.languages.set([vietnamese])
    return request


def test_the_waitlist_lists_waiting_requests_oldest_first_with_what_coordinators_need(coordinator_client):
    cf.clean_supporter(display_name="Sam")
    newer = waiting("Nadia", days_ago=1)
    older = waiting("Oliver", days_ago=9)
    older.topics.set([Topic.objects.create(slug="exams", name="Exams")])
    cf.support_request(factories.member(display_name="Mia"))  # open, still choosing
    matched = waiting("Mark")
    SupportRequest.objects.filter(pk=matched.pk).update(status=RequestStatus.MATCHED)

    response = coordinator_client.get(reverse("console:waitlist"))

    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("Oliver") < body.index("Nadia") < body.index("Mia")
    assert "Mark" not in body
    assert "Exams" in body
    assert "1\xa0week, 2\xa0days" in body  # Oliver has waited 9 days
    assert "With the coordinators" in body and "Choosing a peer" in body
    assert [r.request.pk for r in response.context["rows"]][:2] == [older.pk, newer.pk]
    assert 'aria-current="page">Matching</a>' in body


def test_the_waitlist_explains_which_constraint_emptied_the_pool(coordinator_client):
    cf.clean_supporter()
    stuck = vietnamese_only(waiting("Viet"))
    response = coordinator_client.get(reverse("console:waitlist"))
    body = response.content.decode()
    assert "No one can take it" in body
    assert "Emptied by language: 0 left" in body
    row = next(r for r in response.context["rows"] if r.request.pk == stuck.pk)
    assert [str(step) for step in row.pool][-1] == "language: 0 left"
    assert [step.constraint for step in row.pool][:2] == ["available", "capacity"]


def test_a_request_someone_can_take_shows_how_many_could(coordinator_client):
    cf.clean_supporter()
    cf.clean_supporter()
    waiting("Nadia")
    response = coordinator_client.get(reverse("console:waitlist"))
    assert response.context["rows"][0].feasible == 2
    assert "No one can take it" not in response.content.decode()


def test_the_waitlist_counts_previously_offered_supporters_as_blocked(coordinator):
    profile = cf.clean_supporter()
    request = waiting("Nadia")
    Offer.objects.create(request=request, supporter=profile, status="declined", responded_at=now())
    row = waitlist.waitlist_rows([request])[0]
    assert row.feasible == 0 and str(row.emptied_by) == "blocked pair: 0 left"


def test_members_and_supporters_are_refused_the_waitlist(member_client, supporter_client):
    for client in (member_client, supporter_client):
        assert client.get(reverse("console:waitlist")).status_code == 403
        assert client.post(reverse("console:batch_preview")).status_code == 403


def hand_url(request: SupportRequest) -> str:
    return reverse("console:request_match", args=[request.pk])


def test_matching_by_hand_lists_feasible_supporters_best_first(coordinator_client, exams_topic):
    fits = cf.clean_supporter(display_name="Fiona", topics=[exams_topic])
    also = cf.clean_supporter(display_name="Greg")
    cf.clean_supporter(display_name="Hana", capacity=0)  # no room
    request = waiting("Nadia")
    request.topics.set([exams_topic])
    response = coordinator_client.get(hand_url(request))
    body = response.content.decode()
    assert [s.supporter_id for s in response.context["candidates"].suggestions] == [fits.pk, also.pk]
    assert body.index("Fiona") < body.index("Greg")
    assert "has supported colleagues through exams" in body
    assert "Hana" not in body


def test_matching_by_hand_sends_an_offer_with_the_reason_kept_encrypted_and_audited(coordinator, coordinator_client):
    profile = cf.clean_supporter(display_name="Fiona")
    request = waiting("Nadia")
    response = coordinator_client.post(
        hand_url(request), {"supporter": profile.pk, "reason": "Same rural background; she asked for someone local."}
    )
    assert response.status_code == 302 and response["Location"] == reverse("console:waitlist")
    offer = Offer.objects.get(request=request)
    assert offer.supporter == profile and offer.source == OfferSource.COORDINATOR and offer.made_by == coordinator
    assert offer.coordinator_reason == "Same rural background; she asked for someone local."
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coordinator_reason FROM {Offer._meta.db_table} WHERE id = %s", [offer.pk])
        raw = cursor.fetchone()[0]
    assert raw and "rural" not in raw  # encrypted at rest
    event = AuditEvent.objects.get(action="matching.request.matched_by_hand")
    assert event.actor_id == coordinator.pk and event.target_id == str(offer.pk)
    assert "rural" not in str(event.details)


def test_matching_an_open_request_by_hand_warns_that_the_member_is_still_choosing(coordinator_client):
    cf.clean_supporter()
    choosing = cf.support_request(factories.member(display_name="Mia"))
    waiting_one = waiting("Nadia")
    assert "still choosing among their own suggestions" in coordinator_client.get(hand_url(choosing)).content.decode()
    assert "still choosing" not in coordinator_client.get(hand_url(waiting_one)).content.decode()


def test_matching_by_hand_requires_a_reason(coordinator_client):
    profile = cf.clean_supporter()
    request = waiting("Nadia")
    response = coordinator_client.post(hand_url(request), {"supporter": profile.pk, "reason": "   "})
    assert response.status_code == 200
    assert "Give a reason for matching by hand." in response.content.decode()
    assert not Offer.objects.exists()


def test_matching_by_hand_refuses_an_oversized_reason_clearly(coordinator_client):
    profile = cf.clean_supporter()
    request = waiting("Nadia")
    response = coordinator_client.post(
        hand_url(request), {"supporter": profile.pk, "reason": "x" * (REASON_MAX_LENGTH + 1)}
    )
    assert f"Keep the reason to {REASON_MAX_LENGTH} characters or fewer." in response.content.decode()
    assert not Offer.objects.exists()


def test_matching_by_hand_refuses_a_supporter_who_is_not_feasible(coordinator_client):
    full = cf.clean_supporter(display_name="Hana", capacity=0)
    cf.clean_supporter(display_name="Fiona")
    request = waiting("Nadia")
    response = coordinator_client.post(hand_url(request), {"supporter": full.pk, "reason": "I know her."})
    assert "Choose one of the supporters listed" in response.content.decode()
    assert not Offer.objects.exists()


def test_matching_by_hand_explains_an_empty_pool(coordinator_client):
    cf.clean_supporter()
    request = vietnamese_only(waiting("Viet"))
    response = coordinator_client.get(hand_url(request))
    body = response.content.decode()
    assert "No one can take this request" in body
    assert "Emptied by language: 0 left" in body
    assert response.context["form"] is None


def test_a_request_no_longer_waiting_cannot_be_matched_by_hand(coordinator_client):
    profile = cf.clean_supporter()
    request = waiting("Nadia")
    SupportRequest.objects.filter(pk=request.pk).update(status=RequestStatus.WITHDRAWN, closed_at=now())
    response = coordinator_client.post(hand_url(request), {"supporter": profile.pk, "reason": "Because."})
    assert response.status_code == 200
    assert "not waiting for a peer any more" in response.content.decode()
    assert not Offer.objects.exists()


def test_an_unknown_request_is_a_404(coordinator_client):
    assert coordinator_client.get(reverse("console:request_match", args=[999999])).status_code == 404


def test_members_and_supporters_cannot_match_by_hand(member_client, supporter_client):
    profile = cf.clean_supporter()
    request = waiting("Nadia")
    for client in (member_client, supporter_client):
        response = client.post(hand_url(request), {"supporter": profile.pk, "reason": "Because."})
        assert response.status_code == 403
    assert not Offer.objects.exists()


@pytest.fixture
def exams_topic(db) -> Topic:  # type: ignore[no-untyped-def]
    return Topic.objects.create(slug="exams", name="Exams", experience_phrase="exams")


def test_the_blocked_pair_note_stands_beside_the_constraint_steps_it_explains(coordinator_client):
    cf.clean_supporter()
    waiting("Nadia")  # someone can take it: no constraint steps, so nothing to explain
    body = coordinator_client.get(reverse("console:waitlist")).content.decode()
    assert "blocked pair" not in body.lower()

    profile = cf.clean_supporter()
    stuck = waiting("Viet")
    Offer.objects.create(request=stuck, supporter=profile, status="declined", responded_at=now())
    vietnamese_only(stuck)  # the first supporter speaks no Vietnamese; the second was already offered it
    body = coordinator_client.get(reverse("console:waitlist")).content.decode()
    start = body.index("<details>")
    steps = body[start : body.index("</details>", start)]
    assert "blocked pair: " in steps
    assert '"blocked pair" also counts supporters this request was already offered to' in steps
    assert "Blocked pair" not in body
