"""The coordinators' on-call rota beside the supporters' shifts: kept apart in every read, its places held by
coordinators only, its own coverage and gaps (in the daily email too)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from alongside.lib.time import now
from alongside.roster import selectors, services
from alongside.roster.models import Role, Rota, Shift, ShiftPattern, ShiftPlace
from tests import factories

pytestmark = pytest.mark.django_db
MELB = zoneinfo.ZoneInfo("Australia/Melbourne")
AT = dt.datetime(2026, 12, 9, 6, 30, tzinfo=MELB)  # a Wednesday morning, before opening


def _at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, tzinfo=MELB)


@pytest.fixture
def both() -> object:
    """A coordinator who is also a supporter: their on-call turns must never count as supporters' shifts."""
    return factories.coordinator(is_supporter=True, display_name="Both")


def test_an_on_call_turn_is_no_shift_in_any_supporters_read(both) -> None:  # type: ignore[no-untyped-def]
    turn = factories.on_call(primary=[both])
    later = factories.on_call(starts_at=now() + dt.timedelta(days=1), primary=[both])
    ShiftPlace.objects.filter(shift=later).update(cover_wanted_at=now())
    other = factories.supporter()

    assert selectors.on_shift_ids() == [] and selectors.available_ids(role=None) == []
    assert not selectors.is_on_shift(both.pk) and not selectors.is_available(both.pk)
    status = selectors.shift_status(both.pk)
    assert not status.on_shift and status.next_start is None
    assert list(selectors.upcoming_places(both.pk)) == []
    assert selectors.cover_board(other.pk) == [], "an on-call place offered for cover is not on the cover board"
    assert list(selectors.feed_places(both.pk)) == []
    # ...and the on-call reads see it.
    assert selectors.on_call_ids() == [both.pk]
    assert [p.shift_id for p in selectors.upcoming_on_call(both.pk)] == [turn.pk, later.pk]
    assert [p.shift_id for p in selectors.feed_places(both.pk, rotas=[Rota.ON_CALL])] == [turn.pk, later.pk]


def test_a_supporters_shift_is_nobody_on_call(both) -> None:  # type: ignore[no-untyped-def]
    factories.shift(primary=[both])
    assert selectors.on_call_ids(role=None) == []
    assert selectors.upcoming_on_call(both.pk) == []
    assert selectors.available_ids() == [both.pk]


def test_cancelled_turns_are_left_out_of_the_coordinators_own_list(coordinator) -> None:  # type: ignore[no-untyped-def]
    turn = factories.on_call(starts_at=now() + dt.timedelta(days=1), primary=[coordinator])
    Shift.objects.filter(pk=turn.pk).update(cancelled_at=now())
    assert selectors.upcoming_on_call(coordinator.pk) == []


def test_only_coordinators_hold_on_call_places(open_hours, coordinator, supporter) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="Only an active coordinator"):
        services.create_pattern(
            actor=coordinator,
            rota=Rota.ON_CALL,
            weekday=2,
            starts=dt.time(8),
            ends=dt.time(22),
            primary_places=1,
            backup_places=0,
            valid_from=dt.date.today(),
            primary=[supporter],
        )
    with pytest.raises(ValidationError, match="Only an active coordinator"):
        services.add_one_off_shift(
            actor=coordinator,
            rota=Rota.ON_CALL,
            starts_at=now().astimezone(MELB).replace(hour=9, minute=0) + dt.timedelta(days=1),
            ends_at=now().astimezone(MELB).replace(hour=10, minute=0) + dt.timedelta(days=1),
            primary_places=1,
            backup_places=0,
            primary=[supporter],
        )
    turn = factories.on_call(starts_at=now() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="Only an active coordinator"):
        services.add_place(actor=coordinator, shift=turn, supporter=supporter, role=Role.PRIMARY)
    former = factories.coordinator(is_active=False)
    with pytest.raises(ValidationError, match="Only an active coordinator"):
        services.add_place(actor=coordinator, shift=turn, supporter=former, role=Role.PRIMARY)
    assert not ShiftPattern.objects.exists() and not turn.places.exists()
    services.add_place(actor=coordinator, shift=turn, supporter=coordinator, role=Role.PRIMARY)
    assert list(turn.places.values_list("supporter_id", flat=True)) == [coordinator.pk]


def test_only_supporters_hold_supporters_places(open_hours, coordinator) -> None:  # type: ignore[no-untyped-def]
    shift = factories.shift(starts_at=now() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="Only an active supporter"):
        services.add_place(actor=coordinator, shift=shift, supporter=coordinator, role=Role.PRIMARY)
    with pytest.raises(ValidationError, match="Only an active supporter"):
        services.create_pattern(
            actor=coordinator,
            weekday=2,
            starts=dt.time(8),
            ends=dt.time(22),
            primary_places=1,
            backup_places=0,
            valid_from=dt.date.today(),
            primary=[coordinator],
        )


def test_an_on_call_pattern_makes_on_call_shifts_with_its_coordinators(open_hours, coordinator) -> None:  # type: ignore[no-untyped-def]
    pattern = services.create_pattern(
        actor=coordinator,
        rota=Rota.ON_CALL,
        weekday=2,
        starts=dt.time(8),
        ends=dt.time(22),
        primary_places=1,
        backup_places=0,
        valid_from=dt.date.today(),
        primary=[coordinator],
    )
    shifts = Shift.objects.filter(pattern=pattern)
    assert shifts.count() >= 4
    assert set(shifts.values_list("rota", flat=True)) == {Rota.ON_CALL}
    assert set(ShiftPlace.objects.filter(shift__pattern=pattern).values_list("supporter_id", flat=True)) == {
        coordinator.pk
    }


def test_cover_is_never_offered_nor_taken_on_call(coordinator) -> None:  # type: ignore[no-untyped-def]
    taker = factories.coordinator(is_supporter=True)
    place = factories.on_call(starts_at=now() + dt.timedelta(days=1), primary=[coordinator]).places.get()
    assert services.offer_cover(supporter=coordinator, place=place) is False
    ShiftPlace.objects.filter(pk=place.pk).update(cover_wanted_at=now())
    with pytest.raises(services.CoverGone):
        services.take_cover(taker=taker, place_id=place.pk)
    assert ShiftPlace.objects.get(pk=place.pk).supporter_id == coordinator.pk


def test_on_call_coverage_counts_active_coordinators_and_ignores_supporters_shifts(open_hours, coordinator) -> None:  # type: ignore[no-untyped-def]
    removed = factories.coordinator()
    factories.on_call(starts_at=_at(9, 8), hours=6, primary=[coordinator])  # 8 am - 2 pm
    factories.on_call(starts_at=_at(9, 14), hours=4, primary=[removed])  # 2 - 6 pm, by someone no longer coordinator
    removed.is_coordinator = False
    removed.save(update_fields=["is_coordinator"])
    factories.shift(starts_at=_at(9, 18), hours=4, primary=[factories.supporter()])  # a supporters' shift 6-10 pm

    found = selectors.gaps(at=AT, hours=24, rota=Rota.ON_CALL)
    assert [(g.starts_at.astimezone(MELB).hour, g.ends_at.astimezone(MELB).hour, g.what) for g in found] == [
        (14, 22, "No coordinator on call")
    ]
    # The supporters' coverage is its own: the on-call turns are no shifts to it.
    support = selectors.gaps(at=AT, hours=24)
    assert [(g.starts_at.astimezone(MELB).hour, g.ends_at.astimezone(MELB).hour, g.what) for g in support] == [
        (8, 18, "No shift")
    ]


def test_a_short_backup_on_call_reads_as_such(open_hours, coordinator) -> None:  # type: ignore[no-untyped-def]
    turn = factories.on_call(starts_at=_at(9, 8), hours=14, primary=[coordinator])
    Shift.objects.filter(pk=turn.pk).update(backup_places=1)
    day = selectors.coverage(at=AT, hours=24, rota=Rota.ON_CALL)[0]
    assert day.gaps == []
    assert {h.describe() for h in day.backup_gaps} == {"0 of 1 backup on-call places filled"}


def test_the_daily_gap_email_names_the_hours_without_a_coordinator_on_call(  # type: ignore[no-untyped-def]
    open_hours, coordinator, django_capture_on_commit_callbacks
):
    for day in (9, 10, 11, 12):
        factories.shift(starts_at=_at(day, 8), hours=14, primary=[factories.supporter()])
    factories.on_call(starts_at=_at(9, 8), hours=10, primary=[coordinator])  # nobody on call from 6 pm
    with django_capture_on_commit_callbacks(execute=True):
        assert services.email_gaps(at=AT.replace(hour=8)) > 0
    (message,) = mail.outbox
    html = str(message.alternatives[0][0])  # type: ignore[attr-defined]
    for body in (message.body, html):
        assert "6:00 pm – 10:00 pm: no coordinator on call" in body
        assert "no shift" not in body and "primary places filled" not in body  # the supporters' shifts are full
        assert coordinator.display_name not in body and coordinator.email not in body.replace(message.to[0], "")


def test_roster_changes_are_listed_per_rota(open_hours, coordinator) -> None:  # type: ignore[no-untyped-def]
    turn = factories.on_call(starts_at=now() + dt.timedelta(days=1))
    shift = factories.shift(starts_at=now() + dt.timedelta(days=1))
    services.add_place(actor=coordinator, shift=turn, supporter=coordinator, role=Role.PRIMARY)
    services.cancel_shift(actor=coordinator, shift=shift)
    assert [c.what for c in selectors.recent_changes(rota=Rota.ON_CALL)] == ["added a place on a shift"]
    assert [c.what for c in selectors.recent_changes()] == ["cancelled a shift"]
