"""Who can take a contact now: on shift, active, not busy by choice, in no open contact."""

from __future__ import annotations

import datetime as dt

import pytest

from alongside.lib.time import now
from alongside.roster.models import ContactFormat, Role
from alongside.roster.selectors import (
    available_ids,
    busy_reason,
    is_available,
    on_call_ids,
    on_shift_ids,
    unfiled_contacts,
)
from alongside.roster.services import end_contact, end_stale_contacts, open_contact, set_busy_by_choice
from alongside.supporters.models import SupporterProfile, SupporterStatus
from tests import factories

pytestmark = pytest.mark.django_db


def test_only_supporters_on_a_shift_covering_now_are_available() -> None:
    on, backup, later, cancelled = (factories.supporter() for _ in range(4))
    factories.shift(primary=[on], backup=[backup])
    factories.shift(starts_at=now() + dt.timedelta(hours=1), primary=[later])
    factories.shift(primary=[cancelled]).__class__.objects.filter(places__supporter=cancelled).update(
        cancelled_at=now()
    )

    assert available_ids() == [on.pk]
    assert available_ids(role=Role.BACKUP) == [backup.pk]
    assert available_ids(role=None) == sorted([on.pk, backup.pk])
    assert available_ids(now() + dt.timedelta(hours=1, minutes=1)) == sorted([on.pk, later.pk])
    assert available_ids(now() + dt.timedelta(hours=4)) == [later.pk]


def test_a_shift_ending_now_no_longer_counts() -> None:
    person = factories.supporter()
    row = factories.shift(starts_at=now() - dt.timedelta(hours=2), hours=2, primary=[person])
    assert available_ids(row.ends_at - dt.timedelta(seconds=1)) == [person.pk]
    assert available_ids(row.ends_at) == []


def test_busy_by_choice_paused_and_deactivated_supporters_are_not_available() -> None:
    busy, paused, gone, free = (factories.supporter() for _ in range(4))
    factories.shift(primary=[busy, paused, gone, free])
    set_busy_by_choice(supporter=busy, busy=True)
    SupporterProfile.objects.filter(user=paused).update(status=SupporterStatus.PAUSED)
    gone.is_active = False
    gone.save()

    assert available_ids() == [free.pk]
    assert on_shift_ids() == sorted([busy.pk, free.pk])
    assert busy_reason(busy.pk) == "busy by choice"
    set_busy_by_choice(supporter=busy, busy=False)
    assert is_available(busy.pk)


def test_an_open_contact_makes_a_supporter_busy_until_it_ends() -> None:
    person = factories.supporter()
    factories.shift(primary=[person])
    record = open_contact(supporter_id=person.pk, format=ContactFormat.TALKNOW_CHAT)
    assert available_ids() == []
    assert busy_reason(person.pk) == "in a conversation"

    assert end_contact(record_id=record.pk)
    assert not end_contact(record_id=record.pk)  # idempotent
    assert available_ids() == [person.pk]
    record.refresh_from_db()
    assert record.minutes == 1
    assert list(unfiled_contacts(person.pk)) == [record]


def test_a_contact_left_open_for_hours_is_ended_by_the_sweeper() -> None:
    person = factories.supporter()
    factories.shift(primary=[person])
    record = open_contact(supporter_id=person.pk, format=ContactFormat.PHONE)
    type(record).objects.filter(pk=record.pk).update(started_at=now() - dt.timedelta(hours=5))
    fresh = open_contact(supporter_id=factories.supporter().pk, format=ContactFormat.PHONE)

    assert end_stale_contacts() == 1
    record.refresh_from_db()
    fresh.refresh_from_db()
    assert record.ended_at is not None and fresh.ended_at is None


def test_the_on_call_rota_is_apart_from_the_supporters_shifts() -> None:
    on_call, backup, supporter = factories.coordinator(), factories.coordinator(), factories.supporter()
    factories.on_call(primary=[on_call], backup=[backup])
    factories.shift(primary=[supporter])
    assert on_call_ids() == [on_call.pk]
    assert on_call_ids(role=Role.BACKUP) == [backup.pk]
    assert available_ids(role=None) == [supporter.pk], "a coordinator on call takes no contacts"
    on_call.is_coordinator = False
    on_call.save(update_fields=["is_coordinator"])
    assert on_call_ids() == [], "only a coordinator is on call"
