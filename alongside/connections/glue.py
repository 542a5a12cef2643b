"""Django-side glue: turn supporter profiles and support requests into the matching engine's dataclasses.

The engine knows nothing of models, time zones or the database. Here we compute what it
needs: UTC hour-of-week availability slots (``matching.weekly``) from weekly windows kept in
each person's own time zone, each supporter's load and capacity left (active connections
and pending offers), the pairs that must never be matched (blocks either way, connections
that ended), and the coordinators' weights.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from alongside.accounts.models import Profile
from alongside.connections.models import Block, Connection, ConnectionStatus, Offer, OfferStatus, SupportRequest
from alongside.directory.models import Topic
from alongside.lib.time import now
from alongside.matching import engine
from alongside.matching.models import MatchingSettings
from alongside.matching.weekly import parse_windows, utc_offset_minutes, weekly_slots
from alongside.supporters.models import SupporterProfile, SupporterStatus

# --- weights and phrases ------------------------------------------------------------


def current_weights() -> engine.Weights:
    return engine.Weights.from_dict(MatchingSettings.current().as_dict())


def topic_phrases() -> dict[str, str]:
    """Topic slug -> phrase completing 'has supported colleagues through ...'."""
    return {t.slug: (t.experience_phrase or t.name.lower()) for t in Topic.objects.all()}


def normalise_gender(value: str | None) -> str | None:
    text = " ".join((value or "").split()).casefold()
    return text or None


# --- supporters ---------------------------------------------------------------------


def is_available(profile: SupporterProfile, today: dt.date) -> bool:
    """Active, or paused until a date that has passed; and still a supporter with an account."""
    user = profile.user
    return _available(user.is_active and user.is_supporter, profile.status, profile.paused_until, today)


def _available(has_role: bool, status: str, paused_until: dt.date | None, today: dt.date) -> bool:
    if not has_role:
        return False
    if status == SupporterStatus.ACTIVE:
        return True
    return status == SupporterStatus.PAUSED and paused_until is not None and paused_until < today


def _pairs(rows: Iterable[tuple[int, Any]]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for key, value in rows:
        out[key].append(value)
    return out


def engine_supporters(*, at: dt.datetime | None = None, ids: Iterable[int] | None = None) -> list[engine.Supporter]:
    """Every current supporter (or those with the given profile ids) as the engine sees them.

    Read with flat queries rather than model instances: ranking one request reads every
    supporter, and building thousands of model objects would cost more than the ranking.
    """
    at = at or now()
    today = timezone.localdate(at)
    profiles = SupporterProfile.objects.filter(user__is_supporter=True, user__is_active=True)
    if ids is not None:
        profiles = profiles.filter(pk__in=list(ids))
    rows = list(
        profiles.order_by("pk").values_list(
            "pk",
            "user_id",
            "capacity",
            "status",
            "paused_until",
            "formats",
            "availability",
            "gender",
            "user__profile__id",
            "user__profile__career_stage",
            "user__profile__specialty_id",
            "user__profile__time_zone",
        )
    )
    if not rows:
        return []
    # Subqueries rather than lists of thousands of ids: the database does the filtering.
    profile_ids = profiles.values("pk")
    person_ids = profiles.values("user__profile__id")
    topics = _pairs(
        SupporterProfile.topics.through.objects.filter(supporterprofile_id__in=profile_ids).values_list(
            "supporterprofile_id", "topic__slug"
        )
    )
    specialties = _pairs(
        SupporterProfile.specialties.through.objects.filter(supporterprofile_id__in=profile_ids).values_list(
            "supporterprofile_id", "specialty_id"
        )
    )
    languages = _pairs(
        Profile.languages.through.objects.filter(profile_id__in=person_ids).values_list("profile_id", "language__code")
    )
    workplaces = _pairs(
        Profile.workplaces.through.objects.filter(profile_id__in=person_ids).values_list("profile_id", "workplace_id")
    )
    load = dict(
        Connection.objects.filter(supporter_id__in=profile_ids, status=ConnectionStatus.ACTIVE)
        .values("supporter_id")
        .annotate(n=Count("id"))
        .values_list("supporter_id", "n")
    )
    pending = dict(
        Offer.objects.filter(supporter_id__in=profile_ids, status=OfferStatus.PENDING)
        .values("supporter_id")
        .annotate(n=Count("id"))
        .values_list("supporter_id", "n")
    )
    slot_cache: dict[tuple[str, str], frozenset[int]] = {}
    out = []
    for pk, user_id, capacity, status, paused_until, formats, availability, gender, person, stage, spec, tz in rows:
        time_zone = tz or "UTC"
        key = (repr(availability), time_zone)
        if key not in slot_cache:
            slot_cache[key] = weekly_slots(parse_windows(availability), time_zone, at=at)
        active, waiting = load.get(pk, 0), pending.get(pk, 0)
        # Every specialty the supporter lists, plus the one on their personal profile.
        listed = {str(x) for x in specialties.get(pk, ())} | ({str(spec)} if spec is not None else set())
        out.append(
            engine.Supporter(
                id=pk,
                user_id=user_id,
                career_stage=stage if stage in engine.CAREER_STAGES else "other",
                specialties=frozenset(listed),
                topics=frozenset(topics.get(pk, ())),
                languages=frozenset(languages.get(person, ())) if person is not None else frozenset(),
                gender=normalise_gender(gender),
                workplaces=frozenset(workplaces.get(person, ())) if person is not None else frozenset(),
                formats=frozenset(f for f in (formats or []) if f in engine.FORMATS),
                capacity_left=max(capacity - active - waiting, 0),
                capacity=capacity,
                active_load=active,
                available=_available(True, status, paused_until, today),
                availability=slot_cache[key],
            )
        )
    return out


def to_engine_supporter(profile: SupporterProfile, *, at: dt.datetime | None = None) -> engine.Supporter | None:
    """One supporter as the engine sees them, read fresh; None when they are no longer a supporter."""
    found = engine_supporters(at=at, ids=[profile.pk])
    return found[0] if found else None


# --- requests -----------------------------------------------------------------------


def never_match(member_ids: Sequence[int]) -> dict[int, frozenset[int]]:
    """Supporter profile ids each member must never be matched with.

    Blocks count in both directions; so does every connection that has ended, whichever
    side ended it (a member who asked for a change is not offered the same peer again).
    """
    if not member_ids:
        return {}
    out: dict[int, set[int]] = {m: set() for m in member_ids}
    supporter_of_user = dict(SupporterProfile.objects.values_list("user_id", "pk"))
    blocks = Block.objects.filter(Q(blocker_id__in=member_ids) | Q(blocked_id__in=member_ids)).values_list(
        "blocker_id", "blocked_id"
    )
    for blocker, blocked in blocks:
        for member, other in ((blocker, blocked), (blocked, blocker)):
            if member in out and other in supporter_of_user:
                out[member].add(supporter_of_user[other])
    ended = Connection.objects.filter(member_id__in=member_ids, status=ConnectionStatus.CLOSED).values_list(
        "member_id", "supporter_id"
    )
    for member, supporter in ended:
        out[member].add(supporter)
    return {m: frozenset(s) for m, s in out.items()}


def request_queryset() -> QuerySet[SupportRequest]:
    return SupportRequest.objects.select_related("member", "member__profile").prefetch_related(
        "topics", "languages", "excluded_workplaces", "member__profile__workplaces"
    )


def to_engine_request(
    support_request: SupportRequest,
    *,
    at: dt.datetime | None = None,
    blocked: frozenset[int] | None = None,
) -> engine.Request:
    at = at or now()
    person: Profile | None = getattr(support_request.member, "profile", None)
    if blocked is None:
        blocked = never_match([support_request.member_pk]).get(support_request.member_pk, frozenset())
    formats = frozenset(f for f in (support_request.formats or []) if f in engine.FORMATS)
    stage = person.career_stage if person is not None and person.career_stage in engine.CAREER_STAGES else "other"
    return engine.Request(
        id=support_request.pk,
        member_user_id=support_request.member_pk,
        topics=frozenset(t.slug for t in support_request.topics.all()),
        peer_kind=support_request.peer_kind,
        same_specialty=support_request.same_specialty,
        specialty=str(person.specialty_id) if person is not None and person.specialty_id else None,
        career_stage=stage,
        gender_wanted=normalise_gender(support_request.gender_wanted),
        languages=frozenset(lang.code for lang in support_request.languages.all()),
        formats=formats,
        availability=weekly_slots(parse_windows(support_request.availability), support_request.time_zone, at=at),
        member_workplaces=frozenset(w.pk for w in person.workplaces.all()) if person is not None else frozenset(),
        allow_own_workplace=support_request.allow_own_workplace,
        excluded_workplaces=frozenset(w.pk for w in support_request.excluded_workplaces.all()),
        blocked_supporter_ids=blocked,
        waited_hours=max((at - support_request.created_at).total_seconds() / 3600, 0.0),
        utc_offset_minutes=utc_offset_minutes(support_request.time_zone, at),
    )


def engine_requests(queryset: QuerySet[SupportRequest], *, at: dt.datetime | None = None) -> list[engine.Request]:
    """Many requests at once (the waitlist), with the never-match pairs fetched in one go."""
    at = at or now()
    rows = list(request_queryset().filter(pk__in=queryset.values("pk")).order_by("created_at", "pk"))
    blocked = never_match(sorted({r.member_pk for r in rows}))
    return [to_engine_request(r, at=at, blocked=blocked.get(r.member_pk, frozenset())) for r in rows]


def already_offered(support_request: SupportRequest) -> frozenset[int]:
    """Supporter ids this request was offered to, in any state: never offered twice."""
    return frozenset(Offer.objects.filter(request=support_request).values_list("supporter_id", flat=True))
