"""Writes for the coordinators' matching of the waitlist: preview and apply a batch match, match one request by hand.

A preview writes nothing but itself (in the cache, under a random key, with a fingerprint
of its inputs) and an audit event. Applying it sends each offer through
``connections.services.offer_from_coordinator``, which checks every hard constraint and
the supporter's capacity afresh under a lock on the supporter's row: a pair that is no
longer feasible is skipped and reported, never forced through.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import time

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from alongside.accounts.models import User
from alongside.audit.services import record
from alongside.connections import glue, waitlist
from alongside.connections.models import Offer, OfferSource, SupportRequest
from alongside.connections.services import offer_from_coordinator
from alongside.lib.time import now
from alongside.matching import solver
from alongside.supporters.models import SupporterProfile

PREVIEW_SECONDS = 60 * 60
"""How long a preview can be applied; after that the coordinator matches the waitlist again."""
APPLY_LOCK_SECONDS = 10 * 60
CACHE_PREFIX = "matching:batch:"

SKIP_REQUEST_GONE = "The request was withdrawn or already has a peer."
SKIP_SUPPORTER_GONE = "The supporter is no longer a supporter."
SKIP_INFEASIBLE = "The supporter can no longer take it: their capacity or a hard constraint changed."


@dataclasses.dataclass(frozen=True)
class PreviewPair:
    request_id: int
    supporter_id: int
    score: float
    reasons: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class SkippedPair:
    request_id: int
    supporter_id: int
    why: str


@dataclasses.dataclass(frozen=True)
class BatchResult:
    """What applying a preview did. ``changed`` says the inputs differed from the preview's."""

    sent: tuple[tuple[int, int, int], ...]  # (request id, supporter id, offer id)
    skipped: tuple[SkippedPair, ...]
    changed: bool
    applied_at: dt.datetime
    applied_by: int


@dataclasses.dataclass(frozen=True)
class BatchPreview:
    """A computed batch match, kept in the cache until applied or expired. Ids only: no names, no notes."""

    key: str
    made_at: dt.datetime
    made_by: int
    fingerprint: str
    pairs: tuple[PreviewPair, ...]
    unmatched: tuple[int, ...]
    objective: float
    requests: int
    supporters: int
    solve_seconds: float
    certified: bool
    result: BatchResult | None = None

    @property
    def matched(self) -> int:
        return len(self.pairs)


def _cache_key(key: str) -> str:
    return CACHE_PREFIX + key


def load_preview(key: str) -> BatchPreview | None:
    found = cache.get(_cache_key(key))
    return found if isinstance(found, BatchPreview) else None


def _store(preview: BatchPreview) -> None:
    cache.set(_cache_key(preview.key), preview, PREVIEW_SECONDS)


def preview_batch(*, actor: User, request: HttpRequest | None = None) -> BatchPreview:
    """Compute the exact optimal assignment of the waitlist and keep it as a preview. Sends nothing."""
    if not actor.is_coordinator:
        raise ValidationError("Only coordinators can match the waitlist.")
    at = now()
    requests, supporters = waitlist.engine_inputs(waitlist.batch_queryset(), at=at)
    weights = glue.current_weights()
    started = time.perf_counter()
    assignment = solver.solve(requests, supporters, weights, topic_phrases=glue.topic_phrases())
    seconds = time.perf_counter() - started
    preview = BatchPreview(
        key=secrets.token_urlsafe(16),
        made_at=at,
        made_by=actor.pk,
        fingerprint=waitlist.fingerprint(requests, supporters, weights),
        pairs=tuple(PreviewPair(p.request_id, p.supporter_id, p.score, tuple(p.reasons)) for p in assignment.pairs),
        unmatched=tuple(assignment.unmatched),
        objective=assignment.objective,
        requests=len(requests),
        supporters=len(supporters),
        solve_seconds=seconds,
        certified=assignment.certified,
    )
    _store(preview)
    record(
        "matching.batch.previewed",
        actor=actor,
        target_type="matching.batch",
        target_id=preview.key,
        request=request,
        details={
            "requests": preview.requests,
            "supporters": preview.supporters,
            "matched": preview.matched,
            "unmatched": len(preview.unmatched),
        },
    )
    return preview


def apply_batch(*, actor: User, key: str, request: HttpRequest | None = None) -> BatchResult:
    """Send the preview's offers in one transaction, skipping (and reporting) pairs no longer feasible.

    A preview is applied once: a second click, or a second coordinator, is refused.
    """
    if not actor.is_coordinator:
        raise ValidationError("Only coordinators can match the waitlist.")
    preview = load_preview(key)
    if preview is None:
        raise ValidationError("This preview has expired. Match the waitlist again for a fresh one.")
    if preview.result is not None:
        raise ValidationError("This preview has already been applied.")
    lock = _cache_key(key) + ":applying"
    if not cache.add(lock, actor.pk, APPLY_LOCK_SECONDS):
        raise ValidationError("This preview is being applied already.")
    try:
        result = _apply(actor=actor, preview=preview, request=request)
    except BaseException:
        cache.delete(lock)
        raise
    _store(dataclasses.replace(preview, result=result))
    return result


@transaction.atomic
def _apply(*, actor: User, preview: BatchPreview, request: HttpRequest | None) -> BatchResult:
    at = now()
    # Lock every row the batch touches in one order (requests, then supporters, each by id),
    # so two batches applied at once wait for each other instead of deadlocking.
    request_ids = sorted({p.request_id for p in preview.pairs})
    supporter_ids = sorted({p.supporter_id for p in preview.pairs})
    support_requests = {
        r.pk: r for r in SupportRequest.objects.select_for_update().filter(pk__in=request_ids).order_by("pk")
    }
    profiles = {
        p.pk: p for p in SupporterProfile.objects.select_for_update().filter(pk__in=supporter_ids).order_by("pk")
    }
    requests, supporters = waitlist.engine_inputs(waitlist.batch_queryset(), at=at)
    changed = waitlist.fingerprint(requests, supporters, glue.current_weights()) != preview.fingerprint
    sent: list[tuple[int, int, int]] = []
    skipped: list[SkippedPair] = []
    for pair in sorted(preview.pairs, key=lambda p: (p.supporter_id, p.request_id)):
        support_request = support_requests.get(pair.request_id)
        profile = profiles.get(pair.supporter_id)
        if support_request is None or support_request.status not in waitlist.WAITING_STATUSES:
            skipped.append(SkippedPair(pair.request_id, pair.supporter_id, SKIP_REQUEST_GONE))
            continue
        if profile is None:
            skipped.append(SkippedPair(pair.request_id, pair.supporter_id, SKIP_SUPPORTER_GONE))
            continue
        try:
            offer = offer_from_coordinator(
                support_request=support_request,
                supporter=profile,
                actor=actor,
                source=OfferSource.BATCH,
                request=request,
            )
        except ValidationError:
            skipped.append(SkippedPair(pair.request_id, pair.supporter_id, SKIP_INFEASIBLE))
            continue
        sent.append((pair.request_id, pair.supporter_id, offer.pk))
    record(
        "matching.batch.applied",
        actor=actor,
        target_type="matching.batch",
        target_id=preview.key,
        request=request,
        details={"sent": len(sent), "skipped": len(skipped), "changed": changed},
    )
    return BatchResult(sent=tuple(sent), skipped=tuple(skipped), changed=changed, applied_at=at, applied_by=actor.pk)


@transaction.atomic
def match_by_hand(
    *,
    actor: User,
    support_request: SupportRequest,
    supporter: SupporterProfile,
    reason: str,
    request: HttpRequest | None = None,
) -> Offer:
    """A coordinator chooses the supporter for one request, with a reason (stored encrypted on the offer)."""
    offer = offer_from_coordinator(
        support_request=support_request,
        supporter=supporter,
        actor=actor,
        source=OfferSource.COORDINATOR,
        reason=reason,
        request=request,
    )
    record(
        "matching.request.matched_by_hand",
        actor=actor,
        subject=support_request.member,
        target=offer,
        request=request,
    )
    return offer
