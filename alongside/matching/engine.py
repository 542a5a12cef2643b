"""The pure matching engine: who may be matched with whom, how well, and why.

No Django imports: the glue in the app turns models into these dataclasses. Scores are
computed in integer *units* (``SCALE`` units per weight point) so that the online ranking,
the vectorised batch solver and the independent checker agree exactly, with no floating
point drift. ``docs/matching.md`` explains every weight and constraint.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Final

SCALE: Final = 1000
"""Integer units per weight point; scores are exact multiples of 1/SCALE."""

HOURS_PER_WEEK: Final = 168

CAREER_STAGES: Final[tuple[str, ...]] = ("student", "intern", "resident", "registrar", "consultant", "gp", "other")
SENIORITY: Final[Mapping[str, int | None]] = {
    "student": 0,
    "intern": 1,
    "resident": 2,
    "registrar": 3,
    "consultant": 4,
    "gp": 4,  # a GP is as senior as a consultant
    "other": None,  # unknown: never counted as similar or more senior
}
FORMATS: Final[tuple[str, ...]] = ("chat", "voice", "phone", "video")
PEER_KINDS: Final[tuple[str, ...]] = ("similar", "senior", "any")
SAME_SPECIALTY: Final[tuple[str, ...]] = ("prefer", "any")

OVERLAP_FULL_HOURS: Final = 6
"""Shared free hours a week that earn the full time-overlap weight (enough for weekly sessions)."""
WAIT_FULL_HOURS: Final = 14 * 24
"""Hours of waiting that earn the full waiting-time weight; longer waits earn no more."""
MAX_WEIGHT: Final = 1000.0
"""Upper bound on a single weight, which keeps every integer total far from overflow."""

ENGLISH: Final = frozenset({"en", "english"})

DEFAULT_TOPIC_PHRASES: Final[Mapping[str, str]] = {
    "exams": "training, assessment and exams",
    "workload": "heavy workload and fatigue",
    "bullying": "bullying and harassment",
    "complaints": "complaints and medico-legal matters",
    "adverse-events": "adverse events and patient deaths",
    "career": "career decisions and setbacks",
    "parenting": "parenting and caring duties",
    "relationships": "relationship strain",
    "health": "their own health problems",
    "grief": "grief and loss",
    "burnout": "burnout",
    "return-to-work": "a return to work",
    "international-graduate": "a move to practise in Australia",
}
"""Completes "has supported colleagues through ..."; the glue may pass the directory's own phrases."""

LANGUAGE_NAMES: Final[Mapping[str, str]] = {
    "ar": "Arabic",
    "de": "German",
    "el": "Greek",
    "es": "Spanish",
    "fa": "Persian",
    "fr": "French",
    "hi": "Hindi",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "ms": "Malay",
    "pa": "Punjabi",
    "si": "Sinhala",
    "ta": "Tamil",
    "tl": "Tagalog",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "yue": "Cantonese",
    "zh": "Mandarin",
}

DAY_NAMES: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# (first local hour, name); hours 0-5 are the night of the day before, as people say it.
DAY_PARTS: Final = ((6, "morning"), (12, "afternoon"), (17, "evening"), (22, "night"))


@dataclass(frozen=True, slots=True)
class Supporter:
    """A peer supporter as the engine sees them (never their name or contact details)."""

    id: int
    user_id: int
    career_stage: str
    specialties: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset({"en"})
    gender: str | None = None
    workplaces: frozenset[int] = frozenset()
    formats: frozenset[str] = frozenset(FORMATS)
    capacity_left: int = 1
    capacity: int = 1
    active_load: int = 0
    available: bool = True
    availability: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Request:
    """A member's request for an ongoing peer (a SupportRequest, stripped to what matching needs)."""

    id: int
    member_user_id: int
    topics: frozenset[str] = frozenset()
    peer_kind: str = "any"
    same_specialty: str = "any"
    specialty: str | None = None
    career_stage: str = "other"
    gender_wanted: str | None = None
    languages: frozenset[str] = frozenset({"en"})
    formats: frozenset[str] = frozenset(FORMATS)
    availability: frozenset[int] = frozenset()
    member_workplaces: frozenset[int] = frozenset()
    allow_own_workplace: bool = False
    excluded_workplaces: frozenset[int] = frozenset()
    blocked_supporter_ids: frozenset[int] = frozenset()
    waited_hours: float = 0.0
    utc_offset_minutes: int = 0


@dataclass(frozen=True, slots=True)
class WeightUnits:
    """Weights converted to integer units; every score is computed from these."""

    topic_experience: int
    career_stage_fit: int
    specialty_wish: int
    time_overlap: int
    load_spread: int
    waiting_time: int


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each part of the soft score counts, in points; coordinators can tune them.

    A pair earns up to ``topic_experience`` for covering all the requested topics,
    ``career_stage_fit`` for the kind of peer asked for, ``specialty_wish`` for a wished-for
    same specialty and ``time_overlap`` for shared free times (full at ``OVERLAP_FULL_HOURS``);
    it loses up to ``load_spread`` as the supporter's load approaches their capacity. In a
    batch a request also earns up to ``waiting_time`` for having waited ``WAIT_FULL_HOURS``.
    """

    topic_experience: float = 3.0
    career_stage_fit: float = 2.0
    specialty_wish: float = 1.5
    time_overlap: float = 2.0
    load_spread: float = 1.0
    waiting_time: float = 2.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{f.name}: expected a number")
            if not math.isfinite(value) or not 0 <= value <= MAX_WEIGHT:
                raise ValueError(f"{f.name}: expected a number from 0 to {MAX_WEIGHT:g}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Weights:
        """Build weights from a mapping; missing keys keep their defaults, unknown keys are refused."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"{unknown[0]}: unknown weight (known: {', '.join(sorted(known))})")
        return cls(**{key: data[key] for key in known if key in data})

    def to_dict(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}

    def units(self) -> WeightUnits:
        """Round each weight to integer units once, deterministically (half to even)."""
        return WeightUnits(**{f.name: round(getattr(self, f.name) * SCALE) for f in fields(self)})


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A proposed supporter for a request, with the reasons a member reads."""

    supporter_id: int
    score: float
    reasons: tuple[str, ...]
    overlap: tuple[int, ...] = field(default=())
    score_units: int = 0


# --- hard constraints -----------------------------------------------------------------


def _shares_own_workplace(request: Request, supporter: Supporter) -> bool:
    return not request.allow_own_workplace and not request.member_workplaces.isdisjoint(supporter.workplaces)


HARD_CONSTRAINTS: Final[tuple[tuple[str, Callable[[Request, Supporter], bool]], ...]] = (
    ("available", lambda r, s: s.available),
    ("capacity", lambda r, s: s.capacity_left > 0),
    ("same person", lambda r, s: s.user_id != r.member_user_id),
    ("blocked pair", lambda r, s: s.id not in r.blocked_supporter_ids),
    ("workplace conflict", lambda r, s: not _shares_own_workplace(r, s)),
    ("excluded workplace", lambda r, s: r.excluded_workplaces.isdisjoint(s.workplaces)),
    ("format", lambda r, s: not r.formats.isdisjoint(s.formats)),
    ("language", lambda r, s: not r.languages.isdisjoint(s.languages)),
    ("gender", lambda r, s: r.gender_wanted is None or r.gender_wanted == s.gender),
)
"""Every constraint a match must meet, in the order ``explain_empty`` applies them."""


def is_feasible(request: Request, supporter: Supporter) -> bool:
    """True when the pair breaks no hard constraint (an inlined twin of HARD_CONSTRAINTS, for speed)."""
    return (
        supporter.available
        and supporter.capacity_left > 0
        and supporter.user_id != request.member_user_id
        and supporter.id not in request.blocked_supporter_ids
        and (request.allow_own_workplace or request.member_workplaces.isdisjoint(supporter.workplaces))
        and request.excluded_workplaces.isdisjoint(supporter.workplaces)
        and not request.formats.isdisjoint(supporter.formats)
        and not request.languages.isdisjoint(supporter.languages)
        and (request.gender_wanted is None or request.gender_wanted == supporter.gender)
    )


def explain_empty(request: Request, supporters: Iterable[Supporter]) -> list[tuple[str, int]]:
    """Apply the hard constraints in order; report how many supporters remain after each.

    The list stops at the first constraint that leaves nobody, so its last entry names the
    constraint that emptied the pool. When someone remains it covers every constraint.
    """
    pool = list(supporters)
    steps: list[tuple[str, int]] = []
    for name, allowed in HARD_CONSTRAINTS:
        pool = [s for s in pool if allowed(request, s)]
        steps.append((name, len(pool)))
        if not pool:
            break
    return steps


# --- soft score ---------------------------------------------------------------------


def stage_fit_halves(member_stage: str, peer_kind: str, supporter_stage: str) -> int:
    """Career-stage fit in halves (0, 1 or 2): 2 is exactly what the member asked for."""
    member, supporter = SENIORITY.get(member_stage), SENIORITY.get(supporter_stage)
    if member is None or supporter is None or peer_kind == "any":
        return 0
    if peer_kind == "similar":
        return max(0, 2 - abs(member - supporter))
    return 2 if supporter > member else 0  # "senior"


def topic_units(wanted: int, covered: int, units: WeightUnits) -> int:
    """Share of the requested topics the supporter has experience of."""
    return units.topic_experience * covered // wanted if wanted else 0


def overlap_units(hours: int, units: WeightUnits) -> int:
    return units.time_overlap * min(hours, OVERLAP_FULL_HOURS) // OVERLAP_FULL_HOURS


def wants_same_specialty(request: Request, supporter: Supporter) -> bool:
    """The member prefers their own specialty and it is among the supporter's."""
    wish = request.specialty if request.same_specialty == "prefer" else None
    return wish is not None and wish in supporter.specialties


def pair_score_units(request: Request, supporter: Supporter, units: WeightUnits) -> int:
    """The pair's soft score in units, before load and waiting time (the batch twin is vectorised)."""
    score = topic_units(len(request.topics), len(request.topics & supporter.topics), units)
    halves = stage_fit_halves(request.career_stage, request.peer_kind, supporter.career_stage)
    score += units.career_stage_fit * halves // 2
    if wants_same_specialty(request, supporter):
        score += units.specialty_wish
    return score + overlap_units(len(request.availability & supporter.availability), units)


def load_cost_units(supporter: Supporter, k: int, units: WeightUnits) -> int:
    """Cost of giving the supporter their k-th new connection (k = 0, 1, ...).

    Proportional to their load *after* it, so it grows with k: the costs are convex, which
    keeps the batch problem an exact min-cost flow and spreads work across supporters.
    """
    return units.load_spread * (supporter.active_load + k + 1) // max(supporter.capacity, 1)


def wait_bonus_units(request: Request, units: WeightUnits) -> int:
    """Bonus for a request that has waited, in whole hours, capped at WAIT_FULL_HOURS."""
    hours = min(max(math.floor(request.waited_hours), 0), WAIT_FULL_HOURS)
    return units.waiting_time * hours // WAIT_FULL_HOURS


def suggestion_units(request: Request, supporter: Supporter, units: WeightUnits) -> int:
    """What ``rank`` orders by: the pair score less the cost of the supporter's next connection."""
    return pair_score_units(request, supporter, units) - load_cost_units(supporter, 0, units)


# --- reasons ------------------------------------------------------------------------


def join_words(words: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c' (no serial comma, as Australian style prefers)."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code.lower(), code if not code.islower() else code.capitalize())


def _local_day_part(slot: int, utc_offset_minutes: int) -> tuple[int, int]:
    """(day 0-6, part index) of a UTC hour-of-week slot in the member's local time."""
    local = (slot * 60 + utc_offset_minutes) // 60 % HOURS_PER_WEEK
    day, hour = divmod(local, 24)
    if hour < DAY_PARTS[0][0]:  # small hours belong to the night before
        return (day - 1) % 7, len(DAY_PARTS) - 1
    part = max(i for i, (start, _) in enumerate(DAY_PARTS) if hour >= start)
    return day, part


@functools.lru_cache(maxsize=128)
def _day_parts(utc_offset_minutes: int) -> tuple[tuple[int, int], ...]:
    """(day, part) of every UTC slot for one offset: reasons are phrased for thousands of pairs."""
    return tuple(_local_day_part(slot, utc_offset_minutes) for slot in range(HOURS_PER_WEEK))


def _days_phrase(days: list[int]) -> str:
    if len(days) == 7:
        return "every"
    if days == [0, 1, 2, 3, 4]:
        return "weekday"
    if days == [5, 6]:
        return "weekend"
    return join_words([DAY_NAMES[d] for d in days])


def describe_times(slots: Iterable[int], utc_offset_minutes: int) -> str | None:
    """Phrase shared UTC slots in the member's local time: 'free on Tuesday and Thursday evenings'."""
    days_by_part: dict[int, set[int]] = {}
    table = _day_parts(utc_offset_minutes)
    for slot in slots:
        day, part = table[slot]
        days_by_part.setdefault(part, set()).add(day)
    if not days_by_part:
        return None
    groups = []
    for part in sorted(days_by_part):
        days = sorted(days_by_part[part])
        when = _days_phrase(days)
        name = DAY_PARTS[part][1]
        groups.append(f"every {name}" if when == "every" else f"{when} {name}s")
    if len(groups) > 3:
        return "free at many of the same times"
    every = [g for g in groups if g.startswith("every ")]
    rest = [g for g in groups if not g.startswith("every ")]
    if every and not rest:
        return "free " + join_words(every)
    return "free on " + join_words(rest) + (", and " + join_words(every) if every else "")


def reasons(
    request: Request,
    supporter: Supporter,
    *,
    topic_phrases: Mapping[str, str] | None = None,
    overlap: Iterable[int] | None = None,
) -> tuple[str, ...]:
    """Human-readable reasons (Australian English) why this supporter suits this request."""
    phrases = DEFAULT_TOPIC_PHRASES if topic_phrases is None else topic_phrases
    out: list[str] = []
    common = request.topics & supporter.topics
    if common:
        order = {key: i for i, key in enumerate(phrases)}
        keys = sorted(common, key=lambda key: (order.get(key, len(order)), key))
        topics = [phrases.get(key, key.replace("-", " ")) for key in keys]
        out.append("has supported colleagues through " + join_words(topics))
    halves = stage_fit_halves(request.career_stage, request.peer_kind, supporter.career_stage)
    if halves and request.peer_kind == "senior":
        out.append("more senior")
    elif halves == 2:
        out.append("similar career stage")
    elif halves == 1:
        out.append("close in career stage")
    if wants_same_specialty(request, supporter):
        out.append("same specialty")
    shared = request.availability & supporter.availability if overlap is None else frozenset(overlap)
    when = describe_times(shared, request.utc_offset_minutes)
    if when:
        out.append(when)
    common_languages = request.languages & supporter.languages
    spoken = sorted(language_name(lang) for lang in common_languages if lang.lower() not in ENGLISH)
    if spoken:
        out.append("speaks " + join_words(spoken))
    return tuple(out)


# --- online ranking -----------------------------------------------------------------


def rank(
    request: Request,
    supporters: Iterable[Supporter],
    weights: Weights,
    *,
    limit: int = 3,
    exclude: Iterable[int] = (),
    topic_phrases: Mapping[str, str] | None = None,
) -> list[Suggestion]:
    """The best ``limit`` feasible supporters for one request, best first (ties: lower id first).

    ``exclude`` holds supporter ids already shown or declined, so "show me more" moves on.
    """
    units = weights.units()
    skip = frozenset(exclude)
    scored: list[tuple[int, int, Supporter]] = []
    for supporter in supporters:
        if supporter.id not in skip and is_feasible(request, supporter):
            scored.append((-suggestion_units(request, supporter, units), supporter.id, supporter))
    scored.sort(key=lambda item: (item[0], item[1]))
    out = []
    for negative, _, supporter in scored[: max(limit, 0)]:
        shared = request.availability & supporter.availability
        out.append(
            Suggestion(
                supporter_id=supporter.id,
                score=-negative / SCALE,
                reasons=reasons(request, supporter, topic_phrases=topic_phrases, overlap=shared),
                overlap=tuple(sorted(shared)),
                score_units=-negative,
            )
        )
    return out
