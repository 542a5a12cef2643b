"""Call records: written on start, answer, decline and hang-up; missed after 45 s of ringing; never content."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from alongside.audit.models import AuditEvent
from alongside.calls.models import Call, CallOutcome
from alongside.calls.services import (
    CallBusy,
    answer_call,
    close_lost_calls,
    decline_call,
    end_call,
    expire_unanswered_calls,
    start_call,
)
from alongside.calls.tasks import sweep_calls
from alongside.connections.services import close_connection
from alongside.connections.tests import factories as connection_factories
from alongside.conversations.models import Thread, ThreadKind, ThreadMember
from alongside.conversations.services import get_or_create_thread_for_connection

pytestmark = pytest.mark.django_db


def test_an_answered_call_records_who_when_and_how_long(thread, member, supporter, clock):
    call = start_call(thread=thread, caller=member)
    assert (call.caller, call.callee, call.started_at, call.outcome) == (member, supporter, clock.at, "")
    clock.advance(seconds=5)
    answer_call(call_id=call.pk, user=supporter)
    clock.advance(minutes=12, seconds=30)
    ended = end_call(call_id=call.pk, user=supporter)
    assert ended.outcome == CallOutcome.ANSWERED
    assert ended.answered_at == call.started_at + dt.timedelta(seconds=5)
    assert ended.duration == dt.timedelta(minutes=12, seconds=30)


def test_the_supporter_can_call_the_member_too(thread, member, supporter):
    call = start_call(thread=thread, caller=supporter)
    assert call.callee == member


def test_a_declined_call_is_recorded_as_declined(thread, member, supporter):
    call = start_call(thread=thread, caller=member)
    declined = decline_call(call_id=call.pk, user=supporter)
    assert declined.outcome == CallOutcome.DECLINED and declined.answered_at is None and declined.duration is None


def test_only_the_person_called_can_answer_or_decline(thread, member, supporter):
    call = start_call(thread=thread, caller=member)
    with pytest.raises(ValidationError):
        answer_call(call_id=call.pk, user=member)
    with pytest.raises(ValidationError):
        decline_call(call_id=call.pk, user=member)
    assert Call.objects.get(pk=call.pk).is_open


def test_a_call_rings_for_45_seconds_then_is_missed(thread, member, supporter, clock):
    call = start_call(thread=thread, caller=member)
    clock.advance(seconds=44)
    assert expire_unanswered_calls() == 0
    clock.advance(seconds=1)
    assert expire_unanswered_calls() == 1
    missed = Call.objects.get(pk=call.pk)
    assert missed.outcome == CallOutcome.MISSED
    assert missed.ended_at == call.started_at + dt.timedelta(seconds=45)
    with pytest.raises(ValidationError, match="no longer ringing"):
        answer_call(call_id=call.pk, user=supporter)


def test_a_missed_call_is_recorded_as_ringing_45_seconds_even_when_swept_late(thread, member, clock):
    call = start_call(thread=thread, caller=member)
    clock.advance(minutes=3)
    assert sweep_calls.call_local() == 1
    assert Call.objects.get(pk=call.pk).ended_at == call.started_at + dt.timedelta(seconds=45)


def test_an_answer_after_45_seconds_is_refused_even_before_the_sweep(thread, member, supporter, clock):
    call = start_call(thread=thread, caller=member)
    clock.advance(seconds=46)
    with pytest.raises(ValidationError):
        answer_call(call_id=call.pk, user=supporter)


def test_the_caller_giving_up_makes_it_missed_and_the_callee_hanging_up_declined(thread, member, supporter):
    first = start_call(thread=thread, caller=member)
    assert end_call(call_id=first.pk, user=member).outcome == CallOutcome.MISSED
    second = start_call(thread=thread, caller=member)
    assert end_call(call_id=second.pk, user=supporter).outcome == CallOutcome.DECLINED


def test_a_call_whose_audio_never_connected_is_failed(thread, member, supporter):
    call = start_call(thread=thread, caller=member)
    answer_call(call_id=call.pk, user=supporter)
    assert end_call(call_id=call.pk, user=member, failed=True).outcome == CallOutcome.FAILED


def test_hanging_up_twice_changes_nothing(thread, member, supporter):
    call = start_call(thread=thread, caller=member)
    answer_call(call_id=call.pk, user=supporter)
    first = end_call(call_id=call.pk, user=member)
    assert end_call(call_id=call.pk, user=supporter) is None
    assert Call.objects.get(pk=call.pk).ended_at == first.ended_at


def test_a_second_call_while_one_is_open_is_busy(thread, member, supporter, other_member):
    start_call(thread=thread, caller=member)
    with pytest.raises(CallBusy):
        start_call(thread=thread, caller=supporter)
    # The supporter's other connection can't ring them either while they are in this call.
    other_thread = get_or_create_thread_for_connection(
        connection=connection_factories.connection(other_member, supporter)
    )
    with pytest.raises(CallBusy):
        start_call(thread=other_thread, caller=other_member)


def test_a_stale_ringing_call_does_not_make_anyone_busy(thread, member, supporter, clock):
    start_call(thread=thread, caller=member)
    clock.advance(minutes=2)
    again = start_call(thread=thread, caller=supporter)
    assert again.is_open
    assert Call.objects.filter(outcome=CallOutcome.MISSED).count() == 1


def test_an_answered_call_whose_end_was_lost_is_closed_as_failed_after_4_hours(thread, member, supporter, clock):
    call = start_call(thread=thread, caller=member)
    answer_call(call_id=call.pk, user=supporter)
    clock.advance(hours=3, minutes=59)
    assert close_lost_calls() == 0
    clock.advance(minutes=2)
    assert close_lost_calls() == 1
    assert Call.objects.get(pk=call.pk).outcome == CallOutcome.FAILED


def test_it_refuses_a_closed_connection(thread, connection, member):
    close_connection(connection=connection, actor=member)
    with pytest.raises(ValidationError, match="active connection"):
        start_call(thread=Thread.objects.get(pk=thread.pk), caller=member)
    assert not Call.objects.exists()


def test_it_refuses_a_third_member_of_the_thread(thread, coordinator):
    ThreadMember.objects.create(thread=thread, user=coordinator)
    with pytest.raises(ValidationError):
        start_call(thread=thread, caller=coordinator)


def test_it_refuses_a_group_thread(member, other_member):
    group = Thread.objects.create(kind=ThreadKind.GROUP)
    ThreadMember.objects.create(thread=group, user=member)
    ThreadMember.objects.create(thread=group, user=other_member)
    with pytest.raises(ValidationError):
        start_call(thread=group, caller=member)


def test_the_audit_trail_holds_ids_and_durations_only(thread, member, supporter, clock):
    call = start_call(thread=thread, caller=member)
    answer_call(call_id=call.pk, user=supporter)
    clock.advance(minutes=3)
    end_call(call_id=call.pk, user=member)
    events = list(AuditEvent.objects.filter(action__startswith="calls.call.").order_by("id"))
    assert [e.action for e in events] == ["calls.call.started", "calls.call.answered", "calls.call.ended"]
    assert events[-1].details == {"outcome": "answered", "seconds": 180}
    text = repr([(e.details, e.target_id, e.target_type) for e in events])
    for private in (member.email, supporter.email, "Alice", "Bob"):
        assert private not in text


def test_a_call_cannot_be_answered_once_the_connection_has_closed(thread, connection, member, supporter):
    call = start_call(thread=thread, caller=member)
    close_connection(connection=connection, actor=supporter)
    with pytest.raises(ValidationError):
        answer_call(call_id=call.pk, user=supporter)
    assert Call.objects.get(pk=call.pk).answered_at is None


def test_nobody_can_start_more_than_10_calls_in_10_minutes(thread, member, clock):
    for _ in range(10):
        end_call(call_id=start_call(thread=thread, caller=member).pk, user=member)
        clock.advance(seconds=30)
    with pytest.raises(ValidationError, match="a lot of calls"):
        start_call(thread=thread, caller=member)
    clock.advance(minutes=6)  # the first calls are now more than 10 minutes old
    assert start_call(thread=thread, caller=member).is_open
