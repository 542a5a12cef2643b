"""The pure engine: hard constraints, the soft score, reasons, ranking and explain_empty."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from alongside.matching.engine import (
    HARD_CONSTRAINTS,
    SCALE,
    Request,
    Supporter,
    Weights,
    describe_times,
    explain_empty,
    is_feasible,
    join_words,
    load_cost_units,
    pair_score_units,
    rank,
    reasons,
    stage_fit_halves,
    wait_bonus_units,
    wants_same_specialty,
)

AEST = 600  # UTC+10, in minutes


def local_slots(offset_minutes: int, *day_hours: tuple[int, int]) -> frozenset[int]:
    """UTC hour-of-week slots for (local day, local hour) pairs."""
    return frozenset(((day * 24 + hour) * 60 - offset_minutes) // 60 % 168 for day, hour in day_hours)


TUESDAY_EVENING = [(1, 18), (1, 19)]
THURSDAY_EVENING = [(3, 18), (3, 19)]


def supporter(**changes: Any) -> Supporter:
    base = Supporter(
        id=1,
        user_id=101,
        career_stage="registrar",
        specialties=frozenset({"psychiatry"}),
        topics=frozenset({"exams", "burnout"}),
        languages=frozenset({"en"}),
        gender="female",
        workplaces=frozenset({10}),
        formats=frozenset({"chat", "video"}),
        capacity_left=2,
        capacity=3,
        active_load=1,
        available=True,
        availability=local_slots(AEST, *TUESDAY_EVENING, *THURSDAY_EVENING),
    )
    return dataclasses.replace(base, **changes)


def request(**changes: Any) -> Request:
    base = Request(
        id=7,
        member_user_id=500,
        topics=frozenset({"exams"}),
        peer_kind="similar",
        same_specialty="prefer",
        specialty="psychiatry",
        career_stage="registrar",
        languages=frozenset({"en"}),
        formats=frozenset({"video", "phone"}),
        availability=local_slots(AEST, *TUESDAY_EVENING, *THURSDAY_EVENING, (5, 9)),
        member_workplaces=frozenset({20}),
        utc_offset_minutes=AEST,
    )
    return dataclasses.replace(base, **changes)


def test_the_reference_pair_is_feasible() -> None:
    assert is_feasible(request(), supporter())
    assert [s.supporter_id for s in rank(request(), [supporter()], Weights())] == [1]


# Each case breaks exactly one hard constraint, named as explain_empty names it.
BROKEN = {
    "available": ({}, {"available": False}),
    "capacity": ({}, {"capacity_left": 0}),
    "same person": ({"member_user_id": 101}, {}),
    "blocked pair": ({"blocked_supporter_ids": frozenset({1})}, {}),
    "workplace conflict": ({"member_workplaces": frozenset({10, 20})}, {}),
    "excluded workplace": ({"excluded_workplaces": frozenset({10})}, {}),
    "format": ({"formats": frozenset({"phone"})}, {}),
    "language": ({"languages": frozenset({"vi"})}, {}),
    "gender": ({"gender_wanted": "male"}, {}),
}


def test_every_hard_constraint_has_a_case() -> None:
    assert set(BROKEN) == {name for name, _ in HARD_CONSTRAINTS}


@pytest.mark.parametrize("constraint", sorted(BROKEN))
def test_it_never_matches_a_pair_that_breaks_a_hard_constraint(constraint: str) -> None:
    request_changes, supporter_changes = BROKEN[constraint]
    r, s = request(**request_changes), supporter(**supporter_changes)
    assert not is_feasible(r, s)
    assert rank(r, [s], Weights()) == []
    assert explain_empty(r, [s])[-1] == (constraint, 0)


def test_it_never_matches_a_shared_workplace() -> None:
    shared = request(member_workplaces=frozenset({10}))
    assert not is_feasible(shared, supporter())
    assert not is_feasible(shared, supporter(workplaces=frozenset({3, 10})))
    assert is_feasible(shared, supporter(workplaces=frozenset({3})))


def test_it_matches_a_shared_workplace_when_the_member_allows_it() -> None:
    assert is_feasible(request(member_workplaces=frozenset({10}), allow_own_workplace=True), supporter())


def test_an_excluded_workplace_stays_excluded_even_when_own_workplaces_are_allowed() -> None:
    r = request(allow_own_workplace=True, excluded_workplaces=frozenset({10}))
    assert not is_feasible(r, supporter())


def test_it_needs_only_one_common_format_and_language() -> None:
    r = request(formats=frozenset({"phone", "chat"}), languages=frozenset({"vi", "en"}))
    assert is_feasible(r, supporter(languages=frozenset({"en", "el"})))


def test_gender_is_ignored_unless_the_member_asks() -> None:
    assert is_feasible(request(gender_wanted=None), supporter(gender=None))
    assert not is_feasible(request(gender_wanted="female"), supporter(gender=None))
    assert is_feasible(request(gender_wanted="female"), supporter(gender="female"))


def test_a_paused_or_full_supporter_is_never_suggested_even_with_the_best_score() -> None:
    best = supporter(id=1)
    paused = supporter(id=2, available=False, topics=frozenset({"exams", "burnout", "grief"}))
    full = supporter(id=3, capacity_left=0, active_load=0)
    assert [s.supporter_id for s in rank(request(), [paused, full, best], Weights())] == [1]


# --- soft score ------------------------------------------------------------------


def test_career_stage_fit_follows_the_kind_of_peer_asked_for() -> None:
    assert stage_fit_halves("registrar", "similar", "registrar") == 2
    assert stage_fit_halves("registrar", "similar", "resident") == 1
    assert stage_fit_halves("registrar", "similar", "intern") == 0
    assert stage_fit_halves("intern", "senior", "registrar") == 2
    assert stage_fit_halves("consultant", "senior", "gp") == 0  # a GP is as senior as a consultant
    assert stage_fit_halves("consultant", "similar", "gp") == 2
    assert stage_fit_halves("other", "similar", "other") == 0  # unknown stages never count
    assert stage_fit_halves("registrar", "any", "registrar") == 0


def test_the_pair_score_adds_up_its_weighted_parts() -> None:
    weights = Weights(topic_experience=3, career_stage_fit=2, specialty_wish=1.5, time_overlap=2)
    r = request(topics=frozenset({"exams", "grief"}))
    s = supporter()  # covers one topic in two, same stage and specialty, 4 shared hours of 6
    expected = 3000 * 1 // 2 + 2000 + 1500 + 2000 * 4 // 6
    assert pair_score_units(r, s, weights.units()) == expected


def test_the_specialty_wish_is_met_by_any_of_the_supporters_specialties() -> None:
    units = Weights().units()
    r = request(specialty="psychiatry")
    several = supporter(specialties=frozenset({"general practice", "psychiatry"}))
    other = supporter(specialties=frozenset({"general practice", "surgery"}))
    assert wants_same_specialty(r, several)
    assert not wants_same_specialty(r, other)
    assert not wants_same_specialty(r, supporter(specialties=frozenset()))
    assert pair_score_units(r, several, units) - pair_score_units(r, other, units) == units.specialty_wish
    assert "same specialty" in reasons(r, several)
    assert "same specialty" not in reasons(r, other)


def test_a_specialty_counts_only_when_the_member_prefers_it() -> None:
    s = supporter(specialties=frozenset({"psychiatry", "surgery"}))
    assert not wants_same_specialty(request(same_specialty="any"), s)
    assert not wants_same_specialty(request(specialty=None), s)


def test_load_costs_grow_with_each_new_connection() -> None:
    units = Weights(load_spread=1.0).units()
    s = supporter(capacity=3, active_load=1, capacity_left=2)
    costs = [load_cost_units(s, k, units) for k in range(3)]
    assert costs == [666, 1000, 1333]
    assert costs == sorted(costs)


def test_a_less_loaded_supporter_ranks_first_when_all_else_is_equal() -> None:
    busy = supporter(id=1, active_load=2, capacity=3, capacity_left=1)
    free = supporter(id=2, user_id=102, active_load=0, capacity=3, capacity_left=3)
    assert [s.supporter_id for s in rank(request(), [busy, free], Weights())] == [2, 1]


def test_waiting_time_earns_a_bonus_up_to_two_weeks() -> None:
    units = Weights(waiting_time=2.0).units()
    assert wait_bonus_units(request(waited_hours=0), units) == 0
    assert wait_bonus_units(request(waited_hours=168.9), units) == 1000
    assert wait_bonus_units(request(waited_hours=10_000), units) == 2000


def test_weights_round_trip_through_a_dict_and_refuse_nonsense() -> None:
    weights = Weights(topic_experience=4.5, waiting_time=0)
    assert Weights.from_dict(weights.to_dict()) == weights
    assert Weights.from_dict({}) == Weights()
    with pytest.raises(ValueError, match="topic_experiense"):
        Weights.from_dict({"topic_experiense": 1})
    with pytest.raises(ValueError, match="load_spread"):
        Weights(load_spread=-1)
    with pytest.raises(ValueError, match="time_overlap"):
        Weights(time_overlap=float("nan"))
    assert Weights(specialty_wish=0.0005).units().specialty_wish == 0  # rounds half to even, deterministically


# --- reasons ---------------------------------------------------------------------


def test_reasons_read_as_plain_australian_english() -> None:
    r = request(topics=frozenset({"exams", "burnout"}), languages=frozenset({"en", "vi"}))
    s = supporter(languages=frozenset({"en", "vi"}))
    assert reasons(r, s) == (
        "has supported colleagues through training, assessment and exams and burnout",
        "similar career stage",
        "same specialty",
        "free on Tuesday and Thursday evenings",
        "speaks Vietnamese",
    )


def test_a_more_senior_supporter_is_described_as_such() -> None:
    r = request(career_stage="intern", peer_kind="senior", same_specialty="any", topics=frozenset())
    assert reasons(r, supporter(availability=frozenset())) == ("more senior",)


def test_english_is_taken_for_granted_and_unknown_topics_still_read_well() -> None:
    r = request(topics=frozenset({"night-shifts"}), peer_kind="any", same_specialty="any", availability=frozenset())
    s = supporter(topics=frozenset({"night-shifts"}))
    assert reasons(r, s) == ("has supported colleagues through night shifts",)


def test_the_glue_can_supply_its_own_topic_phrases() -> None:
    r = request(peer_kind="any", same_specialty="any", availability=frozenset())
    assert reasons(r, supporter(), topic_phrases={"exams": "exams and assessments"}) == (
        "has supported colleagues through exams and assessments",
    )


def test_times_are_phrased_in_the_members_own_time_zone() -> None:
    perth = 480
    slots = local_slots(perth, (0, 8), (2, 8), (5, 14))
    assert describe_times(slots, perth) == "free on Monday and Wednesday mornings and Saturday afternoons"
    # The same UTC hours read differently in Sydney.
    assert describe_times(slots, 660) != describe_times(slots, perth)


def test_small_hours_belong_to_the_night_before() -> None:
    assert describe_times(local_slots(AEST, (4, 1)), AEST) == "free on Thursday nights"
    assert describe_times(local_slots(AEST, (0, 23)), AEST) == "free on Monday nights"


def test_weekdays_weekends_and_every_day_are_summarised() -> None:
    weekdays = local_slots(AEST, *[(d, 19) for d in range(5)])
    assert describe_times(weekdays, AEST) == "free on weekday evenings"
    assert describe_times(local_slots(AEST, (5, 10), (6, 10)), AEST) == "free on weekend mornings"
    assert describe_times(local_slots(AEST, *[(d, 19) for d in range(7)]), AEST) == "free every evening"
    assert describe_times(frozenset(), AEST) is None


def test_lists_are_joined_without_a_serial_comma() -> None:
    assert join_words(["a"]) == "a"
    assert join_words(["a", "b"]) == "a and b"
    assert join_words(["a", "b", "c"]) == "a, b and c"


# --- ranking ---------------------------------------------------------------------


def test_rank_returns_the_best_three_with_scores_reasons_and_overlap() -> None:
    pool = [
        supporter(id=i, user_id=100 + i, topics=frozenset({"exams"}) if i % 2 else frozenset(), active_load=i % 3)
        for i in range(1, 9)
    ]
    suggestions = rank(request(), pool, Weights())
    assert len(suggestions) == 3
    units = Weights().units()
    expected = sorted(
        ((pair_score_units(request(), s, units) - load_cost_units(s, 0, units), s.id) for s in pool),
        key=lambda item: (-item[0], item[1]),
    )[:3]
    assert [(s.score_units, s.supporter_id) for s in suggestions] == expected
    assert all(s.score == s.score_units / SCALE for s in suggestions)
    assert suggestions[0].overlap == tuple(sorted(request().availability & pool[0].availability))
    assert suggestions[0].reasons


def test_rank_skips_supporters_already_shown_and_honours_the_limit() -> None:
    pool = [supporter(id=i, user_id=100 + i) for i in range(1, 6)]
    first = rank(request(), pool, Weights(), limit=2)
    more = rank(request(), pool, Weights(), limit=10, exclude=[s.supporter_id for s in first])
    assert len(first) == 2 and len(more) == 3
    assert {s.supporter_id for s in first}.isdisjoint(s.supporter_id for s in more)
    assert rank(request(), pool, Weights(), limit=0) == []


def test_rank_breaks_ties_by_supporter_id() -> None:
    pool = [supporter(id=i, user_id=100 + i) for i in (5, 3, 9)]
    assert [s.supporter_id for s in rank(request(), pool, Weights())] == [3, 5, 9]


# --- explain_empty ---------------------------------------------------------------


def test_explain_empty_shows_which_constraint_emptied_the_pool() -> None:
    pool = [
        supporter(id=1, available=False),
        supporter(id=2, capacity_left=0),
        supporter(id=3, workplaces=frozenset({20})),  # the member's own workplace
        supporter(id=4, languages=frozenset({"en"})),
        supporter(id=5, languages=frozenset({"en", "el"})),
    ]
    r = request(languages=frozenset({"vi"}))
    assert explain_empty(r, pool) == [
        ("available", 4),
        ("capacity", 3),
        ("same person", 3),
        ("blocked pair", 3),
        ("workplace conflict", 2),
        ("excluded workplace", 2),
        ("format", 2),
        ("language", 0),
    ]


def test_explain_empty_covers_every_constraint_when_someone_remains() -> None:
    steps = explain_empty(request(), [supporter(), supporter(id=2, available=False)])
    assert [name for name, _ in steps] == [name for name, _ in HARD_CONSTRAINTS]
    assert steps[0] == ("available", 1) and steps[-1] == ("gender", 1)


def test_explain_empty_of_an_empty_pool_stops_at_the_first_step() -> None:
    assert explain_empty(request(), []) == [("available", 0)]
