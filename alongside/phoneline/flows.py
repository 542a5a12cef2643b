"""What happens on a call, step by step: the answers to the provider's webhooks, and the bridge that lets a
supporter call someone through the service's number.

Every answer is idempotent by the call's id: a webhook the provider retries gets the same answer and changes nothing
twice. Inbound calls ring the available on-shift primary supporters who have a mobile number, at most ten at a time
(a wave); then the rest, then backups, then a message with the crisis lines and the offer of a call-back by keypad.
Each supporter's leg is screened: they must press 1, so a voicemail box can never take the call.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from alongside.accounts.models import User
from alongside.audit.services import record
from alongside.lib.time import now
from alongside.meetings.models import Session
from alongside.meetings.selectors import can_join
from alongside.phoneline import selectors
from alongside.phoneline.line import LineSettings, current, line_settings, public_url
from alongside.phoneline.models import (
    Callback,
    CallbackSource,
    CallbackStatus,
    CallKind,
    CallOutcome,
    CallState,
    PhoneCall,
)
from alongside.phoneline.numbers import to_e164
from alongside.phoneline.provider import MAX_CALLEES, Ask, Callee, Dial, Hangup, ProviderError, Say, Step
from alongside.phoneline.services import open_callback_contact, request_callback
from alongside.roster.models import ContactFormat, Role
from alongside.roster.services import end_contact, open_contact
from alongside.service.selectors import snapshot
from alongside.supporters.models import Format

MAX_WAVES = 4
"""An inbound caller waits through at most four waves of ringing (about two minutes) before the call-back offer."""
FINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}
BRIDGED = {"completed", "answered"}
SCREEN_PROMPT = "A caller for the peer support line: press 1 to take the call."
KEYPAD_WINDOW = dt.timedelta(hours=3)


def _hook(name: str, *args: int) -> str:
    return public_url(reverse(f"phoneline:{name}", args=args))


def _line() -> LineSettings:
    line = line_settings()
    if line is None:  # the webhooks refuse every request while the line is off, so this is never reached
        raise RuntimeError("the phone line is off")
    return line


def _crisis_words() -> str:
    lines = snapshot().crisis_lines
    if not lines:
        return "If you are in danger, call emergency services on triple zero."
    # As the coordinators wrote each number, the way people should dial it ("13 11 14"): read as it is said.
    return " ".join(f"{line.title} is on {line.phone}." for line in lines)


def _after_hours_steps() -> list[Step]:
    name = snapshot().settings.name
    return [
        Say(
            f"Thank you for calling {name}. Our peer supporters are not on the line at the moment. "
            f"If you need to talk to someone now: {_crisis_words()} "
            "You can also ask for a call-back on our website. Goodbye."
        ),
        Hangup(),
    ]


def _greeting() -> Say:
    name = snapshot().settings.name
    return Say(
        f"Thank you for calling {name}. This is peer support from a colleague; it is not an emergency service. "
        "We are finding a peer supporter for you now."
    )


def _no_supporter_steps(call: PhoneCall) -> list[Step]:
    return [
        Say(
            f"No peer supporter is free to take your call right now. If you need to talk to someone now: {_crisis_words()}"
        ),
        Ask(
            prompt="To ask a peer supporter to call you back today from this service's number, press 1 now.",
            action=_hook("hook_keypad", call.pk),
            timeout=8,
        ),
        Say("Thank you for calling. Goodbye."),
        Hangup(),
    ]


def _wave_steps(call: PhoneCall, wave: int) -> list[Step]:
    """The dial of one planned wave; the no-supporter message when the wave is empty or nobody in it has a number."""
    ids = call.waves[wave] if wave < len(call.waves) else []
    numbers = selectors.numbers_of(ids)
    callees = tuple(
        Callee(number=numbers[pk], screen=_hook("hook_screen", call.pk, pk)) for pk in ids if pk in numbers
    )[:MAX_CALLEES]
    if not callees:
        return _no_supporter_steps(call)
    return [Dial(callees=callees, caller_id=_line().number, action=_hook("hook_wave", call.pk, wave))]


def _plan_wave(call: PhoneCall, at: dt.datetime) -> list[int]:
    """The next at most ten supporters to ring: primaries not yet rung, then backups not yet rung."""
    tried = {pk for wave in call.waves for pk in wave}
    for role in (Role.PRIMARY, Role.BACKUP):
        fresh = [pk for pk in selectors.reachable_now(role=role, at=at) if pk not in tried]
        if fresh:
            return fresh[:MAX_CALLEES]
    return []


# --- inbound calls ----------------------------------------------------------------------------------------------


def answer_inbound(*, call_sid: str) -> list[Step]:
    """The service's number rings: after hours, the crisis lines; in hours, the greeting and the first wave."""
    at = now()
    try:
        with transaction.atomic():
            call, created = PhoneCall.objects.get_or_create(call_sid=call_sid, defaults={"kind": CallKind.INBOUND})
    except IntegrityError:  # the same call's retry, a moment ahead of us
        call, created = PhoneCall.objects.get(call_sid=call_sid), False
    if not created:
        if call.outcome == CallOutcome.AFTER_HOURS:
            return _after_hours_steps()
        if call.state != CallState.RINGING or not call.waves:
            return [Hangup()]
        return [_greeting(), *_wave_steps(call, 0)]
    if not snapshot().is_open_at(at):
        PhoneCall.objects.filter(pk=call.pk).update(outcome=CallOutcome.AFTER_HOURS)
        record("phoneline.call.after_hours", target=call)
        return _after_hours_steps()
    with transaction.atomic():
        call = PhoneCall.objects.select_for_update().get(pk=call.pk)
        if not call.waves:
            call.waves = [_plan_wave(call, at)]
            if not call.waves[0]:
                call.outcome = CallOutcome.NO_SUPPORTER
            call.save(update_fields=["waves", "outcome"])
    record("phoneline.call.received", target=call, details={"ringing": len(call.waves[0])})
    return [_greeting(), *_wave_steps(call, 0)]


def wave_finished(*, call_id: int, wave: int, duration: int | None = None) -> list[Step]:
    """A wave's dial ended: a connected call is over; otherwise the next wave, or the call-back offer."""
    call = PhoneCall.objects.filter(pk=call_id, kind=CallKind.INBOUND).first()
    if call is None:
        return [Hangup()]
    if call.connected_at is not None:
        _end_call(call, outcome=CallOutcome.TALKED, duration=duration)
        return [Hangup()]
    if call.state == CallState.ENDED:
        return [Hangup()]
    with transaction.atomic():
        call = PhoneCall.objects.select_for_update().get(pk=call.pk)
        if len(call.waves) == wave + 1:  # not planned yet (a retried webhook finds it planned)
            nxt = _plan_wave(call, now()) if len(call.waves) < MAX_WAVES else []
            call.waves = [*call.waves, nxt]
            if not nxt:
                call.outcome = CallOutcome.NO_SUPPORTER
            call.save(update_fields=["waves", "outcome"])
    if wave + 1 >= len(call.waves):
        return [Hangup()]
    return _wave_steps(call, wave + 1)


def screen(*, call_id: int, supporter_id: int) -> list[Step]:
    """A supporter's mobile answered: they must press 1, so their voicemail can never take the call."""
    call = PhoneCall.objects.filter(pk=call_id, kind=CallKind.INBOUND, state=CallState.RINGING).first()
    if call is None or not any(supporter_id in wave for wave in call.waves):
        return [Say("This call has already been answered. Thank you."), Hangup()]
    return [
        Ask(prompt=SCREEN_PROMPT, action=_hook("hook_screen_answer", call.pk, supporter_id), timeout=8),
        Hangup(),
    ]


def screen_answered(*, call_id: int, supporter_id: int, digits: str) -> list[Step]:
    """Pressed 1: the first supporter to do so is connected (and opens a phone contact); anything else hangs up."""
    if digits != "1":
        return [Hangup()]
    call = PhoneCall.objects.filter(pk=call_id, kind=CallKind.INBOUND).first()
    if call is None or not any(supporter_id in wave for wave in call.waves):
        return [Hangup()]
    if call.state == CallState.CONNECTED and call.supporter_id == supporter_id:
        return [Say("Connecting you now.")]  # the same press, retried
    with transaction.atomic():
        won = PhoneCall.objects.filter(pk=call_id, state=CallState.RINGING).update(
            state=CallState.CONNECTED, supporter_id=supporter_id, connected_at=now()
        )
        if won:
            contact = open_contact(supporter_id=supporter_id, format=ContactFormat.PHONE)
            PhoneCall.objects.filter(pk=call_id).update(contact=contact)
            record("phoneline.call.answered", actor=User(pk=supporter_id), target=call)
    if not won:
        return [Say("Another supporter has taken this call. Thank you."), Hangup()]
    return [Say("Connecting you now.")]


def leave_callback(*, call_id: int, digits: str, from_number: str) -> list[Step]:
    """Pressed 1 after nobody answered: a call-back to the number the call came from, in the next few hours."""
    goodbye: list[Step] = [Say("Thank you for calling. Goodbye."), Hangup()]
    if digits != "1":
        return goodbye
    call = PhoneCall.objects.filter(pk=call_id, kind=CallKind.INBOUND).select_related("left_callback").first()
    if call is None:
        return [Hangup()]
    thanks: list[Step] = [
        Say(
            "Thank you. A peer supporter will call you back from this service's number as soon as one is free, "
            "within the next few hours. Goodbye."
        ),
        Hangup(),
    ]
    if call.left_callback_id is not None:
        return thanks
    try:
        number = to_e164(from_number)
    except ValidationError:
        return [
            Say(
                "We can't see the number you are calling from, so we can't call you back. "
                "You can ask for a call-back on our website. Goodbye."
            ),
            Hangup(),
        ]
    starts = now()
    ends = _open_until(starts)
    with transaction.atomic():
        locked = PhoneCall.objects.select_for_update().get(pk=call.pk)
        if locked.left_callback_id is not None:
            return thanks
        callback, _token = request_callback(
            name="Phone caller",
            phone=number,
            window_starts_at=starts,
            window_ends_at=ends,
            source=CallbackSource.PHONE,
        )
        PhoneCall.objects.filter(pk=call.pk).update(left_callback=callback, outcome=CallOutcome.CALLBACK_LEFT)
    return thanks


def _open_until(start: dt.datetime) -> dt.datetime:
    """The end of a keypad call-back's window: while the service stays open, up to three hours (at least 30 min)."""
    snap = snapshot()
    end = start + dt.timedelta(minutes=30)
    while end < start + KEYPAD_WINDOW and snap.is_open_at(end):
        end += dt.timedelta(minutes=15)
    return end


# --- status callbacks ---------------------------------------------------------------------------------------------


def _end_call(call: PhoneCall, *, outcome: str, duration: int | None, status: str = "") -> bool:
    ended = (
        PhoneCall.objects.filter(pk=call.pk)
        .exclude(state=CallState.ENDED)
        .update(
            state=CallState.ENDED,
            outcome=outcome,
            ended_at=now(),
            duration_seconds=duration,
            provider_status=status or call.provider_status,
        )
    )
    if ended and call.contact_id is not None and call.kind != CallKind.CALLBACK:
        end_contact(record_id=call.contact_id)
    return bool(ended)


def status_changed(*, call_sid: str, status: str, duration: int | None) -> bool:
    """The provider reports a call's progress: a final status ends it with its outcome and duration."""
    call = PhoneCall.objects.filter(call_sid=call_sid).first()
    if call is None:
        return False
    if status not in FINAL_STATUSES:
        PhoneCall.objects.filter(pk=call.pk).exclude(state=CallState.ENDED).update(provider_status=status[:20])
        return False
    if call.kind == CallKind.INBOUND:
        outcome = CallOutcome.TALKED if call.connected_at is not None else call.outcome or CallOutcome.CALLER_LEFT
    elif call.connected_at is not None:
        outcome = CallOutcome.TALKED if call.dial_status in BRIDGED else CallOutcome.NOT_ANSWERED
    else:
        outcome = CallOutcome.FAILED if status == "failed" else CallOutcome.NOT_ANSWERED
    done = _end_call(call, outcome=outcome, duration=duration, status=status)
    if done:
        record("phoneline.call.ended", target=call, details={"outcome": outcome, "seconds": duration})
    return done


# --- the bridge: a supporter calls someone through the service's number ---------------------------------------------


def _bridge_steps(call: PhoneCall, prompt: str) -> list[Step]:
    return [
        Ask(prompt=prompt, action=_hook("hook_bridge", call.pk), timeout=10),
        Say("Nothing was pressed, so we have not called them. Goodbye."),
        Hangup(),
    ]


def _place(call: PhoneCall, *, supporter_number: str, prompt: str) -> PhoneCall:
    provider = current()
    line = line_settings()
    if provider is None or line is None:
        PhoneCall.objects.filter(pk=call.pk).update(state=CallState.ENDED, outcome=CallOutcome.FAILED, ended_at=now())
        raise ValidationError("The phone line is off, so calls through the service can't be made.")
    try:
        sid = provider.place_call(
            to=supporter_number,
            from_=line.number,
            steps=_bridge_steps(call, prompt),
            status_callback=_hook("hook_status"),
        )
    except ProviderError:
        PhoneCall.objects.filter(pk=call.pk).update(state=CallState.ENDED, outcome=CallOutcome.FAILED, ended_at=now())
        record("phoneline.call.failed", target=call)
        raise ValidationError("The call could not be placed just now. Please try again in a minute.") from None
    PhoneCall.objects.filter(pk=call.pk).update(call_sid=sid)
    call.refresh_from_db()
    return call


def _busy_placing(supporter: User) -> bool:
    recent = now() - dt.timedelta(minutes=10)
    return PhoneCall.objects.filter(
        supporter=supporter,
        kind__in=(CallKind.CALLBACK, CallKind.SESSION),
        state=CallState.RINGING,
        started_at__gt=recent,
    ).exists()


def call_back(*, callback: Callback, supporter: User) -> PhoneCall:
    """Ring the supporter's mobile from the service's number; when they press 1, the caller is dialled."""
    at = now()
    if callback.status != CallbackStatus.TAKEN or callback.taken_by_id != supporter.pk:
        raise ValidationError("This call-back is not yours to call.")
    if not callback.in_window(at):
        raise ValidationError("You can call during the window the caller asked for.")
    mobile = selectors.own_number(supporter.pk)
    if not mobile:
        raise ValidationError("Add your mobile number first: the service rings you, then the caller.")
    if _busy_placing(supporter):
        raise ValidationError("A call through the service is already ringing you.")
    open_callback_contact(callback=callback)
    call = PhoneCall.objects.create(kind=CallKind.CALLBACK, supporter=supporter, callback=callback)
    record("phoneline.callback.calling", actor=supporter, target=call, details={"callback": callback.pk})
    return _place(
        call,
        supporter_number=mobile,
        prompt="This is the peer support line. Press 1 to call the person who asked for a call-back.",
    )


def call_session(*, session: Session, supporter: User) -> PhoneCall:
    """A phone session at its agreed time: ring the supporter, then the member, both through the service."""
    connection = session.connection
    if connection.supporter.user_id != supporter.pk:
        raise ValidationError("Only the session's supporter places the call.")
    if session.medium != Format.PHONE:
        raise ValidationError("This session is not by phone.")
    if not can_join(session):
        raise ValidationError("You can call from a few minutes before the agreed time until the session ends.")
    if not selectors.own_number(connection.member_pk):
        raise ValidationError("Your peer has not given a number for phone sessions yet.")
    mobile = selectors.own_number(supporter.pk)
    if not mobile:
        raise ValidationError("Add your mobile number first: the service rings you, then your peer.")
    if _busy_placing(supporter):
        raise ValidationError("A call through the service is already ringing you.")
    call = PhoneCall.objects.create(kind=CallKind.SESSION, supporter=supporter, session=session)
    record("phoneline.session.calling", actor=supporter, target=call, details={"session": session.pk})
    return _place(
        call,
        supporter_number=mobile,
        prompt="This is the peer support line. Press 1 to call your peer for your session.",
    )


def _bridge_target(call: PhoneCall) -> str:
    if call.kind == CallKind.CALLBACK:
        callback = call.callback
        if callback is None or callback.status != CallbackStatus.TAKEN or callback.taken_by_id != call.supporter_id:
            return ""
        return callback.phone
    session = call.session
    if session is None:
        return ""
    return selectors.own_number(session.connection.member_pk)


def bridge_answered(*, call_id: int, digits: str) -> list[Step]:
    """The supporter pressed a key on the service's call: 1 dials the other person with the service's number."""
    if digits != "1":
        return [Hangup()]
    call = (
        PhoneCall.objects.filter(pk=call_id, kind__in=(CallKind.CALLBACK, CallKind.SESSION))
        .select_related("callback", "session__connection")
        .first()
    )
    if call is None or call.state == CallState.ENDED:
        return [Hangup()]
    number = _bridge_target(call)
    if not number:
        return [Say("This call can no longer be made. Goodbye."), Hangup()]
    if call.state == CallState.RINGING:
        with transaction.atomic():
            if (
                PhoneCall.objects.filter(pk=call.pk, state=CallState.RINGING).update(
                    state=CallState.CONNECTED, connected_at=now()
                )
                and call.kind == CallKind.SESSION
                and call.supporter_id is not None
            ):
                contact = open_contact(supporter_id=call.supporter_id, format=ContactFormat.SESSION_PHONE)
                PhoneCall.objects.filter(pk=call.pk).update(contact=contact)
    return [
        Say("Calling them now from the service's number. They will not see yours."),
        Dial(
            callees=(Callee(number=number),),
            caller_id=_line().number,
            action=_hook("hook_bridge_done", call.pk),
            timeout=30,
        ),
    ]


def bridge_finished(*, call_id: int, dial_status: str, duration: int | None) -> list[Step]:
    call = PhoneCall.objects.filter(pk=call_id, kind__in=(CallKind.CALLBACK, CallKind.SESSION)).first()
    if call is None:
        return [Hangup()]
    PhoneCall.objects.filter(pk=call.pk).update(dial_status=dial_status[:20], duration_seconds=duration)
    if dial_status in BRIDGED:
        return [Say("The call has ended. Thank you."), Hangup()]
    return [Say("They did not answer. You can try again from the page in a few minutes. Goodbye."), Hangup()]
