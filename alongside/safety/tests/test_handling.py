"""After the alert: acknowledging, the timeline, closing with an outcome."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from alongside.audit.models import AuditEvent
from alongside.safety.models import Action, ClosingOutcome, Concern, ConcernEvent, EventKind, Level, Source
from alongside.safety.services import acknowledge, add_to_timeline, close_concern
from tests import factories

pytestmark = pytest.mark.django_db


def _concern(level: str = Level.IMMINENT, **kwargs: Any) -> Concern:
    return Concern.objects.create(level=level, source=Source.THREAD, raised_by=factories.supporter(), **kwargs)


def _kinds(concern: Concern) -> list[str]:
    return list(ConcernEvent.objects.filter(concern=concern).values_list("kind", flat=True))


def test_the_first_to_acknowledge_handles_it_and_a_second_is_told_who_did(coordinator: Any) -> None:
    concern = _concern()
    late = factories.coordinator()
    acknowledge(concern=concern, by=coordinator)
    with pytest.raises(ValidationError, match="Carol has already acknowledged"):
        acknowledge(concern=Concern.objects.get(pk=concern.pk), by=late)
    concern.refresh_from_db()
    assert concern.handler_id == coordinator.pk and concern.acknowledged_at is not None
    assert _kinds(concern) == [EventKind.ACKNOWLEDGED]
    assert AuditEvent.objects.filter(action="safety.concern.acknowledged", actor_id=coordinator.pk).count() == 1


def test_actions_and_notes_are_added_to_the_timeline_and_the_note_is_encrypted(coordinator: Any) -> None:
    concern = _concern()
    add_to_timeline(concern=concern, by=coordinator, action=Action.EMERGENCY, note="Ambulance on its way")
    add_to_timeline(concern=concern, by=coordinator, note="Spoke to the supporter")
    lines = list(ConcernEvent.objects.filter(concern=concern).values_list("kind", "action", "note"))
    assert lines == [
        (EventKind.ACTION, Action.EMERGENCY, "Ambulance on its way"),
        (EventKind.NOTE, "", "Spoke to the supporter"),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM safety_concernevent WHERE concern_id = %s", [concern.pk])
        stored = [row[0] for row in cursor.fetchall()]
    assert all("Ambulance" not in s and "supporter" not in s for s in stored)
    events = AuditEvent.objects.filter(action__startswith="safety.concern.").order_by("id")
    actions = list(events.values_list("action", "details"))
    assert actions == [("safety.concern.action_added", {"action": "emergency"}), ("safety.concern.note_added", {})]
    with pytest.raises(ValidationError):
        add_to_timeline(concern=concern, by=coordinator)
    with pytest.raises(ValidationError):
        add_to_timeline(concern=concern, by=coordinator, action="made-up")


def test_closing_needs_an_outcome(coordinator: Any) -> None:
    concern = _concern(level=Level.WORRIED)
    with pytest.raises(ValidationError, match="Choose the outcome"):
        close_concern(concern=concern, by=coordinator, outcome="")
    assert Concern.objects.get(pk=concern.pk).closed_at is None


@pytest.mark.parametrize("outcome", [ClosingOutcome.REFERRED, ClosingOutcome.SUPPORTED, ClosingOutcome.NO_CONTACT])
def test_an_imminent_concern_closes_only_with_emergency_services_contacted_or_why_not(
    coordinator: Any, outcome: str
) -> None:
    concern = _concern()
    with pytest.raises(ValidationError, match="imminent-risk concern closes only"):
        close_concern(concern=concern, by=coordinator, outcome=outcome, reason="Tried them all, twice over")
    assert Concern.objects.get(pk=concern.pk).closed_at is None


@pytest.mark.parametrize("outcome", [ClosingOutcome.NOT_NEEDED, ClosingOutcome.NO_CONTACT])
def test_not_needed_and_no_contact_need_a_written_reason_which_becomes_a_note(coordinator: Any, outcome: str) -> None:
    concern = _concern(level=Level.WORRIED)
    with pytest.raises(ValidationError, match="Write why"):
        close_concern(concern=concern, by=coordinator, outcome=outcome, reason="no")
    close_concern(concern=concern, by=coordinator, outcome=outcome, reason="She is safe at home with her partner")
    lines = list(ConcernEvent.objects.filter(concern=concern).values_list("kind", "note"))
    assert lines == [(EventKind.NOTE, "She is safe at home with her partner"), (EventKind.CLOSED, "")]


def test_an_imminent_concern_closes_with_emergency_services_contacted(coordinator: Any) -> None:
    concern = _concern()
    closed = close_concern(concern=concern, by=coordinator, outcome=ClosingOutcome.EMERGENCY_CONTACTED)
    assert closed.closed_at is not None and closed.outcome == ClosingOutcome.EMERGENCY_CONTACTED
    assert closed.handler_id == coordinator.pk and closed.acknowledged_at is not None  # closing handled it
    event = AuditEvent.objects.get(action="safety.concern.closed")
    assert event.details == {"outcome": "emergency_contacted"}


def test_a_closed_concern_is_read_only(coordinator: Any) -> None:
    concern = close_concern(concern=_concern(level=Level.WORRIED), by=coordinator, outcome=ClosingOutcome.SUPPORTED)
    for attempt in (
        lambda: add_to_timeline(concern=concern, by=coordinator, note="late"),
        lambda: acknowledge(concern=concern, by=coordinator),
        lambda: close_concern(concern=concern, by=coordinator, outcome=ClosingOutcome.REFERRED),
    ):
        with pytest.raises(ValidationError, match="closed"):
            attempt()
    assert _kinds(concern) == [EventKind.CLOSED]
