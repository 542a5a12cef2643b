"""Reads for ongoing connections: what each person sees, and how long matching takes."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Min, Q, QuerySet

from alongside.accounts.models import FORMER_MEMBER, User, former_member
from alongside.connections import glue
from alongside.connections.models import (
    LIVE_REQUEST_STATUSES,
    REVIEW_OVERDUE_DAYS,
    Connection,
    ConnectionStatus,
    Offer,
    OfferStatus,
    ReviewAnswer,
    Side,
    Suggestion,
    SupportRequest,
)
from alongside.lib.time import now, time_zone_of
from alongside.matching import engine
from alongside.matching.weekly import describe_slots, parse_windows, weekly_slots
from alongside.supporters.models import Format, SupporterProfile

HISTORY_DAYS = 90
MIN_HISTORY = 5
"""Fewer accepted offers than this in the window is not enough to say how long matching takes."""


@dataclass(frozen=True)
class ExpectedWait:
    """An honest expectation: who could take the request now, and how long matching has taken lately."""

    feasible_supporters: int
    median: dt.timedelta | None
    samples: int

    @property
    def supply_sentence(self) -> str:
        n = self.feasible_supporters
        if n == 0:
            return (
                "Right now no supporter who fits your request has room for someone new, so the coordinators will "
                "look for someone as places free up."
            )
        return f"Right now {n} supporter{'s' if n != 1 else ''} who fit{'s' if n == 1 else ''} your request " + (
            "has room for someone new." if n == 1 else "have room for someone new."
        )

    @property
    def history_sentence(self) -> str:
        if self.median is None:
            return "There is not enough history yet to say how long matching usually takes."
        return (
            f"Over the last {HISTORY_DAYS} days, half of the people who asked were matched within "
            f"{humanise(self.median)} of asking ({self.samples} matches)."
        )


def humanise(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return "an hour"
    if hours < 36:
        n = max(round(hours), 1)
        return f"{n} hour{'s' if n != 1 else ''}"
    days = round(hours / 24)
    if days < 14:
        return f"{days} days"
    weeks = round(days / 7)
    return f"{weeks} weeks"


def recent_match_times(*, at: dt.datetime | None = None) -> list[dt.timedelta]:
    """From request to accepted offer, for offers accepted in the last HISTORY_DAYS days."""
    at = at or now()
    rows = Offer.objects.filter(
        status=OfferStatus.ACCEPTED, responded_at__gte=at - dt.timedelta(days=HISTORY_DAYS), responded_at__lte=at
    ).values_list("responded_at", "request__created_at")
    return [accepted - asked for accepted, asked in rows if accepted is not None]


WAIT_CACHE_SECONDS = 120


def cached_expected_wait(support_request: SupportRequest) -> ExpectedWait:
    """``expected_wait`` for a page view: it scores every supporter, so a figure two minutes old will do."""
    key = f"connections:wait:{support_request.pk}:{support_request.status}"
    found = cache.get(key)
    if isinstance(found, ExpectedWait):
        return found
    wait = expected_wait(support_request)
    cache.set(key, wait, WAIT_CACHE_SECONDS)
    return wait


def expected_wait(support_request: SupportRequest, *, at: dt.datetime | None = None) -> ExpectedWait:
    at = at or now()
    request = glue.to_engine_request(support_request, at=at)
    feasible = sum(1 for s in glue.engine_supporters(at=at) if engine.is_feasible(request, s))
    times = recent_match_times(at=at)
    median = None
    if len(times) >= MIN_HISTORY:
        median = dt.timedelta(seconds=statistics.median(t.total_seconds() for t in times))
    return ExpectedWait(feasible_supporters=feasible, median=median, samples=len(times))


def live_request_for(member: User) -> SupportRequest | None:
    return SupportRequest.objects.filter(member=member, status__in=LIVE_REQUEST_STATUSES).first()


def suggestions_for(support_request: SupportRequest) -> QuerySet[Suggestion]:
    return (
        Suggestion.objects.filter(request=support_request)
        .select_related("supporter__user__profile__specialty")
        .prefetch_related("supporter__topics", "supporter__specialties", "supporter__user__profile__languages")
    )


def pending_offer_of(support_request: SupportRequest) -> Offer | None:
    return (
        Offer.objects.filter(request=support_request, status=OfferStatus.PENDING)
        .select_related("supporter__user__profile")
        .first()
    )


def offers_for_supporter(user: User) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(supporter__user=user)
        .select_related("request__member__profile__specialty")
        .prefetch_related("request__topics", "request__languages")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class OfferCard:
    """A pending offer as the supporter sees it: exactly what the request form tells the member peers see.

    Display name, career stage, specialty, what they would like to talk about, languages, the ways they
    would meet and when they are usually free (in the supporter's own time), and their note.
    Never the email, real name, workplaces or workplace choices.
    """

    offer: Offer
    display_name: str
    career_stage: str
    specialty: str
    topics: list[str]
    languages: list[str]
    formats: list[str]
    free_times: list[str]
    note: str


def offer_card(offer: Offer, *, viewer_zone: str) -> OfferCard:
    support_request = offer.request
    member = support_request.member or former_member()
    profile = getattr(member, "profile", None)
    slots = weekly_slots(parse_windows(support_request.availability), support_request.time_zone)
    return OfferCard(
        offer=offer,
        display_name=member.display_name,
        career_stage=profile.get_career_stage_display() if profile is not None else "",
        specialty=str(profile.specialty) if profile is not None and profile.specialty is not None else "",
        topics=[t.name for t in support_request.topics.all()],
        languages=[str(language) for language in support_request.languages.all()],
        formats=[Format(f).label for f in Format.values if f in support_request.formats],
        free_times=describe_slots(slots, viewer_zone),
        note=support_request.note,
    )


def pending_offer_cards(user: User) -> list[OfferCard]:
    """The supporter's pending offers, oldest first (the first to lapse), as cards."""
    zone = time_zone_of(user)
    rows = offers_for_supporter(user).filter(status=OfferStatus.PENDING).order_by("expires_at", "pk")
    return [offer_card(offer, viewer_zone=zone) for offer in rows[:50]]


def connections_for(user: User) -> QuerySet[Connection]:
    """Every connection the person is part of, as member or as supporter, newest first."""
    return (
        Connection.objects.filter(Q(member=user) | Q(supporter__user=user))
        .select_related("member__profile", "supporter__user__profile")
        .order_by("-started_at", "-pk")
    )


def active_connections_for(user: User) -> QuerySet[Connection]:
    return connections_for(user).filter(status=ConnectionStatus.ACTIVE)


def feedback_due_for(user: User) -> QuerySet[Connection]:
    return Connection.objects.filter(member=user, status=ConnectionStatus.CLOSED, feedback_pending=True)


# --- for the home pages -------------------------------------------------------------


@dataclass(frozen=True)
class OffersWaiting:
    """Pending offers: how many, and when the first of them lapses."""

    count: int
    first_lapses_at: dt.datetime | None


def _offers_waiting(qs: QuerySet[Offer]) -> OffersWaiting:
    found = qs.filter(status=OfferStatus.PENDING).aggregate(count=Count("pk"), first=Min("expires_at"))
    return OffersWaiting(count=found["count"], first_lapses_at=found["first"])


def offers_waiting_for(user: User) -> OffersWaiting:
    """The supporter's offers waiting for a reply."""
    return _offers_waiting(Offer.objects.filter(supporter__user=user))


LAPSING_WITHIN = dt.timedelta(hours=12)
"""An offer lapsing within this long is shown to coordinators as about to lapse."""


def offers_lapsing(*, within: dt.timedelta = LAPSING_WITHIN, at: dt.datetime | None = None) -> OffersWaiting:
    """Pending offers (anyone's) that lapse within ``within``: their requests may soon need the coordinators."""
    at = at or now()
    return _offers_waiting(Offer.objects.filter(expires_at__gt=at, expires_at__lte=at + within))


# --- supporters' load: active connections and pending offers against capacity ----------


@dataclass(frozen=True)
class Load:
    capacity: int
    active: int
    pending_offers: int

    @property
    def left(self) -> int:
        return max(self.capacity - self.active - self.pending_offers, 0)


def load_of(profile: SupporterProfile) -> Load:
    return Load(
        capacity=profile.capacity,
        active=Connection.objects.filter(supporter=profile, status=ConnectionStatus.ACTIVE).count(),
        pending_offers=Offer.objects.filter(supporter=profile, status=OfferStatus.PENDING).count(),
    )


def supporters_with_load() -> QuerySet[SupporterProfile]:
    return (
        SupporterProfile.objects.filter(user__is_supporter=True)
        .select_related("user__profile")
        .annotate(
            active_load=Count("connections", filter=Q(connections__status=ConnectionStatus.ACTIVE), distinct=True),
            pending_offers=Count("offers", filter=Q(offers__status=OfferStatus.PENDING), distinct=True),
        )
        .order_by("user__profile__display_name")
    )


# --- review points ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewState:
    """Where one side of a connection stands at its review point, for the banners."""

    due: bool
    overdue: bool
    answered: bool
    """This side has answered the current review point (the other side has not yet)."""


def review_state(connection: Connection, side: str, *, at: dt.datetime | None = None) -> ReviewState:
    due = connection.review_is_due(at)
    answered = (
        due
        and ReviewAnswer.objects.filter(
            connection=connection, review_number=connection.reviews_held + 1, role=side
        ).exists()
    )
    return ReviewState(due=due, overdue=due and connection.review_is_overdue(at), answered=answered)


@dataclass(frozen=True)
class OverdueReview:
    connection_id: int
    member: str
    supporter: str
    since: dt.datetime
    waiting_for: str
    """Who has not answered: 'both', 'member' or 'supporter'."""


def overdue_reviews(*, at: dt.datetime | None = None) -> list[OverdueReview]:
    """Active connections whose review point is overdue, longest overdue first, with display names only."""
    at = at or now()
    rows = list(
        Connection.objects.filter(
            status=ConnectionStatus.ACTIVE, review_notified_at__lte=at - dt.timedelta(days=REVIEW_OVERDUE_DAYS)
        )
        .select_related("member__profile", "supporter__user__profile")
        .order_by("review_notified_at", "pk")
    )
    rows = [row for row in rows if row.review_is_overdue(at)]
    answered: dict[int, set[str]] = {}
    for connection_id, number, role in ReviewAnswer.objects.filter(
        connection_id__in=[row.pk for row in rows]
    ).values_list("connection_id", "review_number", "role"):
        answered.setdefault(connection_id, set()).add(f"{number}:{role}")
    result = []
    for row in rows:
        done = answered.get(row.pk, set())
        number = row.reviews_held + 1
        member_done, supporter_done = f"{number}:{Side.MEMBER}" in done, f"{number}:{Side.SUPPORTER}" in done
        waiting = "member" if supporter_done else "supporter" if member_done else "both"
        since = row.review_overdue_from
        assert since is not None  # review_is_overdue held
        member_name = row.member.display_name if row.member is not None else FORMER_MEMBER
        result.append(OverdueReview(row.pk, member_name, row.supporter.user.display_name, since, waiting))
    return result
