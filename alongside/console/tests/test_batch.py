"""The batch match screens: preview, apply, and what coordinators read in between."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError
from django.urls import reverse

from alongside.connections import batch
from alongside.connections.models import Offer, OfferSource, RequestStatus, SupportRequest
from alongside.connections.tests import factories as cf
from alongside.console.views import matching as views
from alongside.lib.time import now
from tests import factories

pytestmark = pytest.mark.django_db


def waiting(name: str, *, hours_ago: float = 1.0) -> SupportRequest:
    at = now() - dt.timedelta(hours=hours_ago)
    member = factories.member(display_name=name)
    return cf.support_request(member, status=RequestStatus.WAITLIST, waitlisted_at=at, created_at=at)


def preview_key(client) -> str:  # type: ignore[no-untyped-def]
    response = client.post(reverse("console:batch_preview"))
    assert response.status_code == 302
    return str(response["Location"]).rstrip("/").split("/")[-1]


def test_matching_the_waitlist_shows_a_preview_and_sends_nothing(coordinator_client):
    cf.clean_supporter(display_name="Fiona", capacity=1)
    waiting("Nadia", hours_ago=100)
    waiting("Oliver", hours_ago=1)
    key = preview_key(coordinator_client)

    response = coordinator_client.get(reverse("console:batch_detail", args=[key]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Batch match preview" in body
    assert "Nadia" in body and "Fiona" in body
    assert "Send 1 offer" in body
    assert "Not matched" in body and "Oliver" in body
    assert "Solve time" in body and "Objective" in body and "proved optimal" in body
    assert not Offer.objects.exists()


def test_applying_the_preview_sends_the_offers_and_reports_them(coordinator_client):
    fiona = cf.clean_supporter(display_name="Fiona", capacity=2)
    requests = [waiting("Nadia"), waiting("Oliver")]
    key = preview_key(coordinator_client)

    response = coordinator_client.post(reverse("console:batch_apply", args=[key]), follow=True)

    body = response.content.decode()
    assert "2 offers sent." in body
    assert "Batch match applied" in body and "Send 2 offers" not in body
    assert Offer.objects.filter(supporter=fiona, source=OfferSource.BATCH).count() == 2
    assert {o.request_id for o in Offer.objects.all()} == {r.pk for r in requests}


def test_applying_a_stale_preview_lists_the_skipped_pairs(coordinator_client):
    fiona = cf.clean_supporter(display_name="Fiona", capacity=1)
    waiting("Nadia")
    key = preview_key(coordinator_client)
    cf.offer(cf.support_request(factories.member()), fiona)  # her only place is taken meanwhile

    response = coordinator_client.post(reverse("console:batch_apply", args=[key]), follow=True)

    body = response.content.decode()
    assert "0 offers sent. 1 pair was skipped" in body
    assert "Skipped pairs" in body and batch.SKIP_INFEASIBLE in body
    assert "changed between the preview and applying it" in body
    assert Offer.objects.filter(supporter=fiona).count() == 1


def test_applying_twice_is_refused_with_a_message(coordinator_client):
    cf.clean_supporter(capacity=3)
    waiting("Nadia")
    key = preview_key(coordinator_client)
    coordinator_client.post(reverse("console:batch_apply", args=[key]))
    response = coordinator_client.post(reverse("console:batch_apply", args=[key]), follow=True)
    assert "already been applied" in response.content.decode()
    assert Offer.objects.count() == 1


def test_an_expired_preview_sends_the_coordinator_back_to_the_waitlist(coordinator_client):
    response = coordinator_client.get(reverse("console:batch_detail", args=["gone"]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("console:waitlist")
    assert "That preview has expired" in response.content.decode()


def test_members_and_supporters_cannot_see_or_apply_a_preview(coordinator, member_client, supporter_client):
    cf.clean_supporter(capacity=3)
    waiting("Nadia")
    key = batch.preview_batch(actor=coordinator).key
    for client in (member_client, supporter_client):
        assert client.get(reverse("console:batch_detail", args=[key])).status_code == 403
        assert client.post(reverse("console:batch_apply", args=[key])).status_code == 403
    assert not Offer.objects.exists()


def test_a_long_preview_is_shown_a_page_of_pairs_at_a_time(coordinator_client, monkeypatch):
    monkeypatch.setattr(views, "PAIRS_PER_PAGE", 1)
    cf.clean_supporter(display_name="Fiona", capacity=2)
    waiting("Nadia", hours_ago=50)
    waiting("Oliver", hours_ago=1)
    key = preview_key(coordinator_client)
    url = reverse("console:batch_detail", args=[key])
    first = coordinator_client.get(url).content.decode()
    second = coordinator_client.get(url, {"page": 2}).content.decode()
    assert "Page 1 of 2" in first and "Send 2 offers" in first
    assert ("Nadia" in first) != ("Nadia" in second)
    assert ("Oliver" in first) != ("Oliver" in second)


def test_a_batch_caught_in_a_deadlock_sends_nothing_and_can_be_applied_again(coordinator_client, monkeypatch):
    cf.clean_supporter(capacity=3)
    waiting("Nadia")
    key = preview_key(coordinator_client)
    real_apply = batch._apply

    def deadlocked(**kwargs: object) -> None:
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(batch, "_apply", deadlocked)
    response = coordinator_client.post(reverse("console:batch_apply", args=[key]), follow=True)
    assert "nothing was sent. Try again." in response.content.decode()
    assert not Offer.objects.exists()

    monkeypatch.setattr(batch, "_apply", real_apply)
    response = coordinator_client.post(reverse("console:batch_apply", args=[key]), follow=True)
    assert "1 offer sent." in response.content.decode()
    assert Offer.objects.count() == 1


def test_the_preview_says_how_good_the_matches_are_in_words_and_keeps_the_number_for_details(coordinator_client):
    cf.clean_supporter(display_name="Fiona", capacity=1)
    waiting("Nadia")
    key = preview_key(coordinator_client)

    body = coordinator_client.get(reverse("console:batch_detail", args=[key])).content.decode()

    facts = body[body.index('<dl class="facts">') : body.index("</dl>")]
    start = body.index("<details", body.index("<main"))  # the page's own, not the crisis strip's
    details = body[start : body.index("</details>", start)]
    assert "The best possible set of matches for these requests" in facts
    assert "Objective" not in facts and "optimal" not in facts
    assert "Objective" in details and "(proved optimal)" in details and "Solve time" in details
