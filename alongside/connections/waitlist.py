"""Reads for the coordinators' waitlist and batch matching.

The engine sees requests and supporters as dataclasses (``glue``); here we add what the
coordinators' screens need on top: who already had an offer for a request (never offered
twice, so it counts as a blocked pair), why nobody can take a request, and a fingerprint
of the inputs that tells whether anything changed since a preview was made.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Min, Q, QuerySet

from alongside.accounts.models import User
from alongside.connections import glue
from alongside.connections.models import Offer, RequestStatus, SupportRequest
from alongside.lib.time import now
from alongside.matching import engine
from alongside.supporters.models import SupporterProfile

WAITING_STATUSES = (RequestStatus.OPEN, RequestStatus.WAITLIST)
"""Requests still without a peer: choosing among suggestions, or with the coordinators."""
HAND_CANDIDATES = 20
"""Supporters offered to a coordinator matching by hand, best first."""


def waiting_requests() -> QuerySet[SupportRequest]:
    """Open and waitlisted requests, oldest first, with what the waitlist page shows."""
    return (
        SupportRequest.objects.filter(status__in=WAITING_STATUSES)
        .select_related("member__profile")
        .prefetch_related("topics")
        .annotate(suggestions_shown=Count("suggestions"))
        .order_by("created_at", "pk")
    )


def batch_queryset() -> QuerySet[SupportRequest]:
    """What "Match the waitlist" assigns: requests with the coordinators.

    Requests still open are left out: their members are choosing among their own
    suggestions, and a batch offer would take that choice away from them.
    """
    return SupportRequest.objects.filter(status=RequestStatus.WAITLIST)


def batch_size() -> int:
    """How many requests a batch match would take in now."""
    return batch_queryset().count()


def with_offers_blocked(requests: Sequence[engine.Request]) -> list[engine.Request]:
    """Count every supporter a request was already offered to (in any state) as blocked for it.

    An offer goes to each supporter at most once per request, so such a pair can never be sent.
    """
    ids = [r.id for r in requests]
    if not ids:
        return []
    offered: dict[int, set[int]] = defaultdict(set)
    offers = (
        Offer.objects.filter(request_id__in=ids)
        if len(ids) <= 500
        else Offer.objects.filter(request__status__in=WAITING_STATUSES)
    )  # a long list of ids would exceed the database's parameter limit; a join does the same work
    rows = offers.values_list("request_id", "supporter_id")
    for request_id, supporter_id in rows:
        offered[request_id].add(supporter_id)
    return [
        dataclasses.replace(r, blocked_supporter_ids=r.blocked_supporter_ids | offered[r.id]) if r.id in offered else r
        for r in requests
    ]


def engine_inputs(
    queryset: QuerySet[SupportRequest], *, at: dt.datetime | None = None
) -> tuple[list[engine.Request], list[engine.Supporter]]:
    """The requests (oldest first) and every current supporter, as the engine sees them."""
    at = at or now()
    return with_offers_blocked(glue.engine_requests(queryset, at=at)), glue.engine_supporters(at=at)


def _canonical(item: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(item):
        value = getattr(item, f.name)
        out[f.name] = sorted(value, key=str) if isinstance(value, frozenset) else value
    return out


def fingerprint(
    requests: Sequence[engine.Request], supporters: Sequence[engine.Supporter], weights: engine.Weights
) -> str:
    """A digest of everything a batch depends on, except the passing of time.

    Waiting hours grow by the minute, so they are left out; any other change (a request
    withdrawn or added, a supporter's load, status or profile, the weights) changes it.
    """
    digest = hashlib.sha256()
    digest.update(json.dumps(weights.to_dict(), sort_keys=True).encode())
    for r in sorted(requests, key=lambda r: r.id):
        digest.update(json.dumps(_canonical(dataclasses.replace(r, waited_hours=0.0)), sort_keys=True).encode())
    digest.update(b"|supporters|")
    for s in sorted(supporters, key=lambda s: s.id):
        digest.update(json.dumps(_canonical(s), sort_keys=True).encode())
    return digest.hexdigest()


# --- explaining an empty pool -------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PoolStep:
    """One hard constraint and how many supporters were left after it."""

    constraint: str
    left: int

    def __str__(self) -> str:
        return f"{self.constraint}: {self.left} left"

    @property
    def reason(self) -> str:
        """Why nobody was left, in a coordinator's words, when this is the step that emptied the pool."""
        return EMPTIED_BY.get(self.constraint, f"nobody was left after “{self.constraint}”")


EMPTIED_BY = {
    "available": "no supporter is taking on new people (all paused or inactive)",
    "capacity": "every supporter taking on new people is full",
    "same person": "the only supporter left is the member themselves",
    "blocked pair": "the rest were blocked or have already been asked",
    "workplace conflict": "the rest share a workplace with the member",
    "excluded workplace": "the rest work where the member asked to avoid",
    "format": "none of the rest offers a way of meeting the member accepts",
    "language": "none of the rest speaks the member's languages",
    "gender": "none of the rest is of the gender the member asked for",
}
"""The hard constraints of ``engine.HARD_CONSTRAINTS``, as the reason a request's pool came out empty."""


@dataclasses.dataclass(frozen=True)
class WaitlistRow:
    """A waiting request as the waitlist shows it. ``pool`` is set only when nobody can take it."""

    request: SupportRequest
    feasible: int
    pool: tuple[PoolStep, ...] = ()

    @property
    def emptied_by(self) -> PoolStep | None:
        return self.pool[-1] if self.pool else None


def explain(request: engine.Request, supporters: Sequence[engine.Supporter]) -> tuple[int, tuple[PoolStep, ...]]:
    """(feasible supporters, the constraint steps when there are none)."""
    feasible = sum(1 for s in supporters if engine.is_feasible(request, s))
    if feasible:
        return feasible, ()
    return 0, tuple(PoolStep(name, left) for name, left in engine.explain_empty(request, supporters))


def waitlist_rows(page: Iterable[SupportRequest], *, at: dt.datetime | None = None) -> list[WaitlistRow]:
    """One page of the waitlist, each request with how many supporters could take it now."""
    rows = list(page)
    if not rows:
        return []
    ids = [r.pk for r in rows]
    requests, supporters = engine_inputs(SupportRequest.objects.filter(pk__in=ids), at=at)
    by_id = {r.id: r for r in requests}
    out = []
    for row in rows:
        feasible, pool = explain(by_id[row.pk], supporters)
        out.append(WaitlistRow(request=row, feasible=feasible, pool=pool))
    return out


@dataclasses.dataclass(frozen=True)
class WaitlistSummary:
    """How many requests wait, and since when: with the coordinators, and members still choosing."""

    with_coordinators: int
    choosing: int
    oldest_waitlisted_at: dt.datetime | None


def waitlist_summary() -> WaitlistSummary:
    found = SupportRequest.objects.aggregate(
        with_coordinators=Count("pk", filter=Q(status=RequestStatus.WAITLIST)),
        choosing=Count("pk", filter=Q(status=RequestStatus.OPEN)),
        oldest=Min("waitlisted_at", filter=Q(status=RequestStatus.WAITLIST)),
    )
    return WaitlistSummary(
        with_coordinators=found["with_coordinators"],
        choosing=found["choosing"],
        oldest_waitlisted_at=found["oldest"],
    )


STUCK_CHECKED = 50
"""The oldest waitlisted requests checked for "nobody can take it" on the coordinators' home."""


def requests_nobody_can_take(*, limit: int = STUCK_CHECKED, at: dt.datetime | None = None) -> list[WaitlistRow]:
    """Of the oldest ``limit`` requests with the coordinators, those no supporter can take now, with why."""
    oldest = batch_queryset().select_related("member__profile").order_by("waitlisted_at", "created_at", "pk")
    return [row for row in waitlist_rows(oldest[:limit], at=at) if row.feasible == 0]


# --- matching by hand ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class HandCandidates:
    """The feasible supporters for one request, best first; ``pool`` explains an empty list."""

    suggestions: list[engine.Suggestion]
    names: dict[int, str]
    pool: tuple[PoolStep, ...] = ()


def hand_candidates(support_request: SupportRequest, *, at: dt.datetime | None = None) -> HandCandidates:
    at = at or now()
    requests, supporters = engine_inputs(SupportRequest.objects.filter(pk=support_request.pk), at=at)
    ranked = engine.rank(
        requests[0], supporters, glue.current_weights(), limit=HAND_CANDIDATES, topic_phrases=glue.topic_phrases()
    )
    pool = () if ranked else explain(requests[0], supporters)[1]
    return HandCandidates(ranked, supporter_names(s.supporter_id for s in ranked), pool)


# --- names for the screens ----------------------------------------------------------


def supporter_names(ids: Iterable[int]) -> dict[int, str]:
    """Supporter profile id -> display name (coordinators see display names, never emails here)."""
    rows = SupporterProfile.objects.filter(pk__in=list(set(ids))).values_list("pk", "user__profile__display_name")
    return {pk: name or "Someone" for pk, name in rows}


def member_names(request_ids: Iterable[int]) -> dict[int, str]:
    """Support request id -> the member's display name."""
    rows = SupportRequest.objects.filter(pk__in=list(set(request_ids))).values_list(
        "pk", "member__profile__display_name"
    )
    return {pk: name or "Someone" for pk, name in rows}


def coordinator_name(user_id: int | None) -> str:
    user = User.objects.select_related("profile").filter(pk=user_id).first() if user_id else None
    return user.display_name if user is not None else "A coordinator"
