"""Writes for call records. Each change is a conditional UPDATE, so two sockets (or processes) racing on one
call leave one winner, and each is audited with ids only: never a name, never anything said."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from alongside.accounts.models import User
from alongside.audit.services import record
from alongside.calls import models as call_models
from alongside.calls.access import call_party
from alongside.calls.models import Call, CallOutcome
from alongside.conversations.models import Thread
from alongside.lib.time import now


class CallBusy(ValidationError):
    """The thread, the caller or the person called is already in a call."""


def _ring_cutoff(at: dt.datetime) -> dt.datetime:
    return at - dt.timedelta(seconds=call_models.RING_SECONDS)


def _live(at: dt.datetime) -> Q:
    """Open calls that still count: ringing and not yet due to be missed, or answered and not lost."""
    return Q(ended_at__isnull=True) & (
        Q(answered_at__isnull=True, started_at__gt=_ring_cutoff(at))
        | Q(answered_at__gt=at - dt.timedelta(hours=call_models.MAX_CALL_HOURS))
    )


@transaction.atomic
def start_call(*, thread: Thread, caller: User) -> Call:
    """Ring the other person of an active connection's thread. Raises ``CallBusy`` or ``ValidationError``."""
    thread = Thread.objects.select_for_update(of=("self",)).select_related("connection__supporter").get(pk=thread.pk)
    caller_id = caller.pk
    callee_id = call_party(thread, caller_id)
    if callee_id is None:
        raise ValidationError("Calls are only possible between the two people of an active connection.")
    at = now()
    window = at - dt.timedelta(minutes=call_models.CALL_WINDOW_MINUTES)
    if Call.objects.filter(caller_id=caller_id, started_at__gt=window).count() >= call_models.MAX_CALLS_PER_WINDOW:
        raise ValidationError("You have started a lot of calls in the last few minutes. Please wait a little.")
    expire_unanswered_calls()
    close_lost_calls()
    if (
        Call.objects.filter(_live(at))
        .filter(Q(thread=thread) | Q(caller_id__in=(caller_id, callee_id)) | Q(callee_id__in=(caller_id, callee_id)))
        .exists()
    ):
        raise CallBusy("Already in a call.")
    try:
        with transaction.atomic():
            call = Call.objects.create(thread=thread, caller_id=caller_id, callee_id=callee_id, started_at=at)
    except IntegrityError:
        raise CallBusy("Already in a call.") from None
    record("calls.call.started", actor=caller, target=call)
    return call


@transaction.atomic
def answer_call(*, call_id: int, user: User) -> Call:
    """The person called picks up (once, from one device, while it is still ringing, in a still active connection)."""
    at = now()
    ringing = Call.objects.select_related("thread__connection__supporter").filter(pk=call_id).first()
    if ringing is None or call_party(ringing.thread, user.pk) is None:
        raise ValidationError("This call is no longer ringing.")
    won = Call.objects.filter(
        pk=call_id, callee_id=user.pk, answered_at__isnull=True, ended_at__isnull=True, started_at__gt=_ring_cutoff(at)
    ).update(answered_at=at)
    if not won:
        raise ValidationError("This call is no longer ringing.")
    call = Call.objects.get(pk=call_id)
    record("calls.call.answered", actor=user, target=call)
    return call


@transaction.atomic
def decline_call(*, call_id: int, user: User) -> Call:
    """The person called says no while it rings."""
    at = now()
    won = Call.objects.filter(pk=call_id, callee_id=user.pk, answered_at__isnull=True, ended_at__isnull=True).update(
        ended_at=at, outcome=CallOutcome.DECLINED
    )
    if not won:
        raise ValidationError("This call is no longer ringing.")
    call = Call.objects.get(pk=call_id)
    record("calls.call.declined", actor=user, target=call)
    return call


@transaction.atomic
def end_call(*, call_id: int, user: User, failed: bool = False) -> Call | None:
    """Either side hangs up (or leaves). The outcome follows from how far the call got.

    Answered: ``answered`` (or ``failed`` when the audio never connected). Not answered: the
    caller giving up makes it ``missed``; the person called hanging up makes it ``declined``.
    Returns None when the call had already ended (the other side hung up first).
    """
    call = (
        Call.objects.select_for_update()
        .filter(Q(caller_id=user.pk) | Q(callee_id=user.pk), pk=call_id, ended_at__isnull=True)
        .first()
    )
    if call is None:
        return None
    if failed:
        outcome = CallOutcome.FAILED
    elif call.answered_at is not None:
        outcome = CallOutcome.ANSWERED
    elif user.pk == call.caller_id:
        outcome = CallOutcome.MISSED
    else:
        outcome = CallOutcome.DECLINED
    call.ended_at, call.outcome = now(), outcome
    call.save(update_fields=["ended_at", "outcome"])
    record("calls.call.ended", actor=user, target=call, details=_summary(call))
    return call


def expire_call(*, call_id: int) -> bool:
    """Record one call as missed if it is still ringing after ``RING_SECONDS``; True if this run did it."""
    return _expire(Call.objects.filter(pk=call_id)) == 1


def expire_unanswered_calls() -> int:
    """Record every call still ringing after ``RING_SECONDS`` as missed (the consumer's timer, or this sweep)."""
    return _expire(Call.objects.all())


def _expire(calls: QuerySet[Call]) -> int:
    at = now()
    due = list(
        calls.filter(answered_at__isnull=True, ended_at__isnull=True, started_at__lte=_ring_cutoff(at)).values_list(
            "pk", "started_at"
        )
    )
    done = 0
    for pk, started_at in due:
        ended = min(at, started_at + dt.timedelta(seconds=call_models.RING_SECONDS))
        if Call.objects.filter(pk=pk, answered_at__isnull=True, ended_at__isnull=True).update(
            ended_at=ended, outcome=CallOutcome.MISSED
        ):
            done += 1
            record("calls.call.missed", target_type="calls.call", target_id=pk)
    return done


def close_lost_calls() -> int:
    """Close answered calls open for longer than ``MAX_CALL_HOURS``: their end was lost with a process."""
    at = now()
    cutoff = at - dt.timedelta(hours=call_models.MAX_CALL_HOURS)
    lost = list(Call.objects.filter(ended_at__isnull=True, answered_at__lte=cutoff).values_list("pk", flat=True))
    done = 0
    for pk in lost:
        if Call.objects.filter(pk=pk, ended_at__isnull=True).update(ended_at=at, outcome=CallOutcome.FAILED):
            done += 1
            record("calls.call.lost", target_type="calls.call", target_id=pk)
    return done


def _summary(call: Call) -> dict[str, object]:
    duration = call.duration
    return {"outcome": call.outcome, "seconds": int(duration.total_seconds()) if duration is not None else 0}
