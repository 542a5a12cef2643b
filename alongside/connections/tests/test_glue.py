import datetime as dt

import pytest

from alongside.connections import glue
from alongside.connections.models import Block, ConnectionStatus, OfferStatus
from alongside.connections.tests import factories as cf
from alongside.directory.models import Specialty, Topic, Workplace
from alongside.matching import engine, weekly
from alongside.supporters.models import SupporterStatus
from tests import factories

WINTER = dt.datetime(2026, 7, 15, 3, 0, tzinfo=dt.UTC)  # Melbourne on AEST, UTC+10
SUMMER = dt.datetime(2026, 1, 14, 3, 0, tzinfo=dt.UTC)  # Melbourne on AEDT, UTC+11


def slots(day: int, start: str, end: str, tz: str, at: dt.datetime) -> frozenset[int]:
    return weekly.weekly_slots(
        [weekly.Window(day, weekly.hhmm_to_minutes(start), weekly.hhmm_to_minutes(end))], tz, at=at
    )


def test_a_monday_evening_in_melbourne_winter_is_monday_morning_utc():
    assert slots(0, "18:00", "21:00", "Australia/Melbourne", WINTER) == {8, 9, 10}


def test_daylight_saving_moves_the_utc_slots_and_keeps_the_local_meaning():
    assert slots(0, "18:00", "21:00", "Australia/Melbourne", SUMMER) == {7, 8, 9}


def test_an_early_monday_in_melbourne_wraps_to_sunday_utc():
    assert slots(0, "06:00", "08:00", "Australia/Melbourne", WINTER) == {164, 165}


def test_a_window_ending_at_midnight_covers_the_last_hour():
    assert slots(2, "22:00", "24:00", "UTC", WINTER) == {2 * 24 + 22, 2 * 24 + 23}


def test_an_hour_counts_only_when_half_of_it_is_covered():
    assert slots(1, "18:30", "19:00", "UTC", WINTER) == {24 + 18}
    assert slots(1, "18:00", "18:20", "UTC", WINTER) == frozenset()


@pytest.mark.parametrize("tz", ["Australia/Adelaide", "Australia/Perth", "Asia/Kolkata", "America/St_Johns", "UTC"])
@pytest.mark.parametrize("at", [WINTER, SUMMER])
def test_slots_convert_back_to_the_same_local_hours_even_in_half_hour_zones(tz, at):
    window = weekly.Window(3, 17 * 60, 22 * 60)
    back = weekly.local_hours(weekly.weekly_slots([window], tz, at=at), tz, at=at)
    assert back == [(3, h) for h in range(17, 22)]


def test_shared_times_read_in_the_viewers_own_time_zone():
    shared = slots(1, "18:00", "21:00", "Australia/Melbourne", WINTER)
    assert weekly.describe_slots(shared, "Australia/Melbourne", at=WINTER) == ["Tuesday 6 pm – 9 pm"]
    assert weekly.describe_slots(shared, "Australia/Perth", at=WINTER) == ["Tuesday 4 pm – 7 pm"]


def test_a_ticked_night_runs_past_midnight_and_sunday_night_wraps_to_monday():
    windows = weekly.windows_from_day_parts([(6, "night"), (0, "morning")])
    # Sunday night's small hours join Monday morning into one window.
    assert windows == [weekly.Window(0, 0, 12 * 60), weekly.Window(6, 22 * 60, 24 * 60)]


def test_touching_windows_are_merged():
    merged = weekly.merge_windows([weekly.Window(0, 600, 720), weekly.Window(0, 720, 780), weekly.Window(1, 0, 60)])
    assert merged == [weekly.Window(0, 600, 780), weekly.Window(1, 0, 60)]


def test_malformed_stored_windows_are_skipped():
    stored: list[dict[str, object]] = [
        {"day": 0, "start": "18:00", "end": "17:00"},
        {"day": 9, "start": "1:00", "end": "2:00"},
        {"x": 1},
    ]
    assert weekly.parse_windows([*stored, {"day": 4, "start": "07:30", "end": "09:00"}]) == [weekly.Window(4, 450, 540)]


@pytest.mark.django_db
def test_capacity_left_counts_active_connections_and_pending_offers():
    profile = cf.clean_supporter(capacity=3)
    member, other = factories.member(), factories.member()
    cf.connection(member, profile.user)
    cf.offer(cf.support_request(other), profile)
    supporter = glue.engine_supporters()[0]
    assert (supporter.capacity, supporter.active_load, supporter.capacity_left) == (3, 1, 1)
    # The same when the profile is converted on its own.
    assert glue.to_engine_supporter(profile) == supporter


@pytest.mark.django_db
def test_closed_connections_and_answered_offers_free_capacity():
    profile = cf.clean_supporter(capacity=1)
    closed = cf.connection(factories.member(), profile.user)
    closed.status, closed.ended_at = ConnectionStatus.CLOSED, closed.started_at
    closed.save()
    declined = cf.offer(cf.support_request(factories.member()), profile)
    declined.status, declined.responded_at = OfferStatus.DECLINED, declined.created_at
    declined.save()
    assert glue.engine_supporters()[0].capacity_left == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "paused_until", "available"),
    [
        (SupporterStatus.ACTIVE, None, True),
        (SupporterStatus.PAUSED, dt.date(2000, 1, 1), True),  # the pause is over
        (SupporterStatus.PAUSED, dt.date(2999, 1, 1), False),
        (SupporterStatus.PAUSED, None, False),  # paused by a coordinator until resumed
        (SupporterStatus.INACTIVE, None, False),
    ],
)
def test_a_supporter_is_available_only_when_active_or_their_pause_has_passed(status, paused_until, available):
    cf.clean_supporter(status=status, paused_until=paused_until)
    assert glue.engine_supporters()[0].available is available


@pytest.mark.django_db
def test_a_supporter_who_lost_the_role_is_not_offered():
    profile = cf.clean_supporter()
    profile.user.is_supporter = False
    profile.user.save()
    assert glue.engine_supporters() == []
    assert glue.to_engine_supporter(profile) is None


@pytest.mark.django_db
def test_a_supporter_is_described_by_their_profile_and_never_by_contact_details():
    wp: Workplace = factories.WorkplaceFactory()
    profile = cf.clean_supporter(gender="  Woman ", formats=["chat", "fax"])
    profile.topics.set([Topic.objects.create(slug="exams", name="Exams")])
    cf.set_person(profile.user, career_stage="consultant", workplaces=[wp])
    s = glue.to_engine_supporter(profile)
    assert s is not None
    assert s.id == profile.pk and s.user_id == profile.user_id
    assert s.career_stage == "consultant" and s.topics == {"exams"} and s.languages == {"en"}
    assert s.gender == "woman" and s.workplaces == {wp.pk} and s.formats == {"chat"}
    assert len(s.availability) == 7 * 3


@pytest.mark.django_db
def test_a_request_carries_the_members_workplaces_exclusions_and_preferences():
    own: Workplace = factories.WorkplaceFactory()
    avoid: Workplace = factories.WorkplaceFactory()
    member = cf.set_person(factories.member(), career_stage="intern", workplaces=[own])
    sr = cf.support_request(member, peer_kind="senior", gender_wanted="Woman", formats=["video"])
    sr.excluded_workplaces.set([avoid])
    r = glue.to_engine_request(sr)
    assert r.member_user_id == member.pk and r.career_stage == "intern" and r.peer_kind == "senior"
    assert r.member_workplaces == {own.pk} and r.excluded_workplaces == {avoid.pk}
    assert r.gender_wanted == "woman" and r.formats == {"video"} and not r.allow_own_workplace


@pytest.mark.django_db
def test_blocks_count_in_both_directions_and_ended_connections_are_never_matched_again():
    member = factories.member()
    blocked_by_member, blocked_the_member, ended, fine = (cf.clean_supporter() for _ in range(4))
    Block.objects.create(blocker=member, blocked=blocked_by_member.user)
    Block.objects.create(blocker=blocked_the_member.user, blocked=member)
    old = cf.connection(member, ended.user)
    old.status, old.ended_at = ConnectionStatus.CLOSED, old.started_at
    old.save()
    request = glue.to_engine_request(cf.support_request(member))
    assert request.blocked_supporter_ids == {blocked_by_member.pk, blocked_the_member.pk, ended.pk}
    feasible = [s.id for s in glue.engine_supporters() if engine.is_feasible(request, s)]
    assert feasible == [fine.pk]


@pytest.mark.django_db
def test_bulk_requests_match_one_by_one_conversion():
    members = [factories.member() for _ in range(3)]
    Block.objects.create(blocker=members[0], blocked=cf.clean_supporter().user)
    requests = [cf.support_request(m) for m in members]
    at = requests[-1].created_at
    from alongside.connections.models import SupportRequest

    bulk = glue.engine_requests(SupportRequest.objects.all(), at=at)
    assert bulk == [glue.to_engine_request(r, at=at) for r in requests]


@pytest.mark.django_db
def test_weights_come_from_the_coordinators_settings():
    from alongside.matching.models import MatchingSettings

    row = MatchingSettings.current()
    row.topic_experience = 7.5
    row.save()
    assert glue.current_weights().topic_experience == 7.5
    assert glue.current_weights().load_spread == engine.Weights().load_spread


@pytest.mark.django_db
def test_a_supporter_brings_every_listed_specialty_and_their_own_profile_one():
    psychiatry, surgery, gp = (Specialty.objects.create(name=n) for n in ("Psychiatry", "Surgery", "GP"))
    profile = cf.clean_supporter()
    profile.specialties.set([psychiatry, surgery])
    cf.set_person(profile.user, specialty=gp)
    s = glue.to_engine_supporter(profile)
    assert s is not None and s.specialties == {str(psychiatry.pk), str(surgery.pk), str(gp.pk)}
    bare = glue.to_engine_supporter(cf.clean_supporter())
    assert bare is not None and bare.specialties == frozenset()


@pytest.mark.django_db
def test_a_members_specialty_wish_is_met_by_any_of_a_supporters_specialties():
    psychiatry, surgery = Specialty.objects.create(name="Psychiatry"), Specialty.objects.create(name="Surgery")
    profile = cf.clean_supporter()
    profile.specialties.set([surgery, psychiatry])
    member = cf.set_person(factories.member(), specialty=psychiatry)
    request = glue.to_engine_request(cf.support_request(member, same_specialty="prefer"))
    supporter = glue.to_engine_supporter(profile)
    assert supporter is not None and engine.wants_same_specialty(request, supporter)
    assert "same specialty" in engine.reasons(request, supporter)


@pytest.mark.django_db
def test_reasons_use_the_directorys_own_wording_for_topics():
    exams = Topic.objects.create(slug="exams", name="Exams", experience_phrase="fellowship exams and resits")
    nights = Topic.objects.create(slug="nights", name="Night shifts")  # no phrase: its name, lower case
    profile = cf.clean_supporter(topics=[exams, nights])
    sr = cf.support_request(factories.member())
    sr.topics.set([exams, nights])
    assert glue.topic_phrases() == {"exams": "fellowship exams and resits", "nights": "night shifts"}
    supporters = glue.engine_supporters()
    (suggestion,) = engine.rank(
        glue.to_engine_request(sr), supporters, glue.current_weights(), topic_phrases=glue.topic_phrases()
    )
    assert suggestion.supporter_id == profile.pk
    assert suggestion.reasons[0] == "has supported colleagues through fellowship exams and resits and night shifts"
