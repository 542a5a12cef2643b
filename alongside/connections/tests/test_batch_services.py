"""Batch matching of the waitlist: a preview that sends nothing, and applying it safely."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from alongside.audit.models import AuditEvent
from alongside.connections import batch
from alongside.connections import services as connection_services
from alongside.connections.models import Offer, OfferSource, OfferStatus, RequestStatus, SupportRequest
from alongside.connections.tests import factories as cf
from alongside.lib.time import now
from alongside.supporters.models import SupporterProfile, SupporterStatus
from tests import factories

pytestmark = pytest.mark.django_db


def waiting(hours_ago: float = 1.0, **fields: object) -> SupportRequest:
    at = now() - dt.timedelta(hours=hours_ago)
    return cf.support_request(
        factories.member(), status=RequestStatus.WAITLIST, waitlisted_at=at, created_at=at, **fields
    )


def test_a_preview_sends_no_offers_and_changes_no_request(coordinator):
    profile = cf.clean_supporter(capacity=2)
    requests = [waiting(), waiting()]
    preview = batch.preview_batch(actor=coordinator)
    assert {(p.request_id, p.supporter_id) for p in preview.pairs} == {(r.pk, profile.pk) for r in requests}
    assert preview.matched == 2 and preview.unmatched == ()
    assert preview.certified and preview.objective > 0
    assert not Offer.objects.exists()
    assert set(SupportRequest.objects.values_list("status", flat=True)) == {RequestStatus.WAITLIST}
    assert batch.load_preview(preview.key) == preview


def test_a_preview_leaves_requests_still_choosing_to_their_members(coordinator):
    cf.clean_supporter()
    cf.support_request(factories.member())  # open: the member is choosing among suggestions
    preview = batch.preview_batch(actor=coordinator)
    assert preview.requests == 0 and preview.pairs == ()


def test_a_preview_is_audited_with_counts_only(coordinator):
    cf.clean_supporter(capacity=1)
    waiting(), waiting()
    preview = batch.preview_batch(actor=coordinator)
    event = AuditEvent.objects.get(action="matching.batch.previewed")
    assert event.actor_id == coordinator.pk and event.target_id == preview.key
    assert event.details == {"requests": 2, "supporters": 1, "matched": 1, "unmatched": 1}


def test_applying_sends_batch_offers_within_each_supporters_capacity(coordinator):
    roomy = cf.clean_supporter(capacity=2)
    nearly_full = cf.clean_supporter(capacity=2)
    cf.connection(factories.member(), nearly_full.user)  # one place left
    requests = [waiting(hours_ago=h) for h in (30, 20, 10, 5)]
    preview = batch.preview_batch(actor=coordinator)
    assert preview.matched == 3 and len(preview.unmatched) == 1

    result = batch.apply_batch(actor=coordinator, key=preview.key)

    assert len(result.sent) == 3 and result.skipped == () and not result.changed
    offers = Offer.objects.filter(status=OfferStatus.PENDING)
    assert offers.count() == 3
    assert set(offers.values_list("source", flat=True)) == {OfferSource.BATCH}
    assert set(offers.values_list("made_by", flat=True)) == {coordinator.pk}
    assert offers.filter(supporter=roomy).count() == 2
    assert offers.filter(supporter=nearly_full).count() == 1
    assert SupportRequest.objects.filter(pk__in=[r.pk for r in requests], status=RequestStatus.OFFERED).count() == 3
    event = AuditEvent.objects.get(action="matching.batch.applied")
    assert event.details == {"sent": 3, "skipped": 0, "changed": False}


def test_the_longest_waiting_request_is_matched_when_places_are_short(coordinator):
    cf.clean_supporter(capacity=1)
    newer, older = waiting(hours_ago=2), waiting(hours_ago=200)
    preview = batch.preview_batch(actor=coordinator)
    assert [p.request_id for p in preview.pairs] == [older.pk]
    assert preview.unmatched == (newer.pk,)


def test_a_stale_preview_skips_a_pair_whose_supporter_filled_up_and_reports_it(coordinator):
    profile = cf.clean_supporter(capacity=1)
    first = waiting()
    preview = batch.preview_batch(actor=coordinator)
    assert [(p.request_id, p.supporter_id) for p in preview.pairs] == [(first.pk, profile.pk)]
    # Meanwhile someone else's offer takes the supporter's only place.
    cf.offer(cf.support_request(factories.member()), profile)

    result = batch.apply_batch(actor=coordinator, key=preview.key)

    assert result.sent == () and result.changed
    assert [(s.request_id, s.supporter_id, s.why) for s in result.skipped] == [
        (first.pk, profile.pk, batch.SKIP_INFEASIBLE)
    ]
    assert Offer.objects.filter(supporter=profile).count() == 1  # never overfilled
    first.refresh_from_db()
    assert first.status == RequestStatus.WAITLIST


def test_a_stale_preview_skips_a_withdrawn_request_and_sends_the_rest(coordinator):
    cf.clean_supporter(capacity=3)
    stays, goes = waiting(), waiting()
    preview = batch.preview_batch(actor=coordinator)
    connection_services.withdraw_request(support_request=goes, actor=goes.member)

    result = batch.apply_batch(actor=coordinator, key=preview.key)

    assert [r for r, _, _ in result.sent] == [stays.pk]
    assert [(s.request_id, s.why) for s in result.skipped] == [(goes.pk, batch.SKIP_REQUEST_GONE)]
    assert not Offer.objects.filter(request=goes).exists()


def test_a_supporter_paused_since_the_preview_is_skipped(coordinator):
    profile = cf.clean_supporter()
    request = waiting()
    preview = batch.preview_batch(actor=coordinator)
    SupporterProfile.objects.filter(pk=profile.pk).update(
        status=SupporterStatus.PAUSED, paused_until=now().date() + dt.timedelta(days=7)
    )
    result = batch.apply_batch(actor=coordinator, key=preview.key)
    assert [(s.request_id, s.why) for s in result.skipped] == [(request.pk, batch.SKIP_INFEASIBLE)]
    assert not Offer.objects.exists()


def test_a_preview_is_applied_only_once(coordinator):
    cf.clean_supporter(capacity=3)
    waiting()
    preview = batch.preview_batch(actor=coordinator)
    batch.apply_batch(actor=coordinator, key=preview.key)
    with pytest.raises(ValidationError, match="already been applied"):
        batch.apply_batch(actor=coordinator, key=preview.key)
    assert Offer.objects.count() == 1
    stored = batch.load_preview(preview.key)
    assert stored is not None and stored.result is not None and len(stored.result.sent) == 1


def test_an_expired_or_unknown_preview_cannot_be_applied(coordinator):
    with pytest.raises(ValidationError, match="expired"):
        batch.apply_batch(actor=coordinator, key="no-such-preview")


def test_a_supporter_already_offered_a_request_is_not_proposed_for_it_again(coordinator):
    declined = cf.clean_supporter()
    other = cf.clean_supporter()
    request = waiting()
    Offer.objects.create(
        request=request, supporter=declined, status=OfferStatus.DECLINED, responded_at=now(), source=OfferSource.MEMBER
    )
    preview = batch.preview_batch(actor=coordinator)
    assert [(p.request_id, p.supporter_id) for p in preview.pairs] == [(request.pk, other.pk)]


def test_only_coordinators_preview_or_apply(member, supporter):
    for person in (member, supporter):
        with pytest.raises(ValidationError):
            batch.preview_batch(actor=person)
        with pytest.raises(ValidationError):
            batch.apply_batch(actor=person, key="anything")
