"""Alerting coordinators about a concern: each step is claimed once, each alert sent is a timeline line.

Steps (``Step``): 0 the coordinator(s) on call, 1 the backup on call, 2 every active coordinator. A step with nobody
in it passes straight on (an ESCALATED line says so), so an alert always reaches someone: step 2 is everyone.
Unacknowledged ``STEP_WAIT`` after a step's alerts, the concern goes to the next step. An eta task takes each step
on time; the periodic sweep (``tasks.sweep``, every minute) sends any first alert the worker missed and takes every
step that is due. Each is claimed with a conditional UPDATE, so two workers never alert twice.

Every channel at once: in the app (a notification, and a live banner on every open page), web push, email, and SMS
to the coordinator's own number when the phone line is configured. An alert says only that a concern was raised,
with a link: never a name, the level, the note or where it came from.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from huey.contrib.djhuey import db_task

from alongside.accounts.models import User
from alongside.lib.time import now
from alongside.notifications.models import Kind, PushSubscription
from alongside.notifications.push import push_enabled, push_to_users
from alongside.notifications.services import notify, queue_email
from alongside.phoneline import line
from alongside.phoneline.provider import ProviderError
from alongside.phoneline.selectors import own_number
from alongside.roster.models import Role
from alongside.roster.selectors import on_call_ids
from alongside.safety import live
from alongside.safety.models import Concern, ConcernEvent, EventKind, Step
from alongside.service.selectors import current_settings

log = logging.getLogger("alongside.safety")

STEP_WAIT = dt.timedelta(minutes=5)
LAST_STEP = Step.ALL

PUSH_TITLE = "A safety concern needs a coordinator"
PUSH_BODY = "Open it to see it and acknowledge it."
EMAIL_SUBJECT = "A safety concern needs a coordinator now"


def concern_path(concern_id: int) -> str:
    return reverse("console:concern", kwargs={"pk": concern_id})


def recipients(step: int, at: dt.datetime | None = None) -> list[int]:
    """Who is alerted at a step: the coordinator(s) on call, the backup on call, or every active coordinator."""
    if step == Step.ON_CALL:
        return on_call_ids(at, role=Role.PRIMARY)
    if step == Step.BACKUP:
        return on_call_ids(at, role=Role.BACKUP)
    return sorted(User.objects.filter(is_coordinator=True, is_active=True).values_list("pk", flat=True))


def _first_step_with_people(concern: Concern, start: int, at: dt.datetime) -> tuple[int, list[int], list[int]]:
    """The first step from ``start`` with somebody in it, its people, and the empty steps passed over."""
    passed: list[int] = []
    step = start
    while True:
        people = recipients(step, at)
        if people or step >= LAST_STEP:
            return step, people, passed
        passed.append(step)
        step += 1


def _next_step_at(step: int, at: dt.datetime) -> dt.datetime | None:
    return at + STEP_WAIT if step < LAST_STEP else None


@transaction.atomic
def send_first_alert(concern_id: int, at: dt.datetime | None = None) -> int:
    """Alert the first step with somebody in it, once: claimed by setting ``alerted_at``. The number alerted."""
    at = at or now()
    concern = Concern.objects.filter(pk=concern_id, alerted_at__isnull=True, closed_at__isnull=True).first()
    if concern is None or concern.acknowledged_at is not None:
        return 0
    step, people, passed = _first_step_with_people(concern, concern.step, at)
    claimed = Concern.objects.filter(
        pk=concern_id, alerted_at__isnull=True, closed_at__isnull=True, acknowledged_at__isnull=True
    ).update(alerted_at=at, step=step, next_step_at=_next_step_at(step, at))
    if not claimed:
        return 0
    for empty in passed:
        ConcernEvent.objects.create(concern=concern, kind=EventKind.ESCALATED, at=at, step=empty + 1)
    _schedule_next(concern_id, step, at)
    return deliver(concern_id=concern_id, user_ids=people, step=step, at=at)


@transaction.atomic
def escalate(concern_id: int, at: dt.datetime | None = None) -> int:
    """Take the concern's next step if it is due and nobody has acknowledged it: the number alerted (0: not due, or
    someone else took the step)."""
    at = at or now()
    concern = Concern.objects.filter(
        pk=concern_id,
        closed_at__isnull=True,
        acknowledged_at__isnull=True,
        alerted_at__isnull=False,
        next_step_at__lte=at,
    ).first()
    if concern is None or concern.step >= LAST_STEP:
        return 0
    step, people, passed = _first_step_with_people(concern, concern.step + 1, at)
    claimed = Concern.objects.filter(
        pk=concern_id,
        step=concern.step,
        closed_at__isnull=True,
        acknowledged_at__isnull=True,
        next_step_at__lte=at,
    ).update(step=step, alerted_at=at, next_step_at=_next_step_at(step, at))
    if not claimed:
        return 0
    for passed_on in [*passed, step]:
        ConcernEvent.objects.create(concern=concern, kind=EventKind.ESCALATED, at=at, step=passed_on)
    _schedule_next(concern_id, step, at)
    return deliver(concern_id=concern_id, user_ids=people, step=step, at=at)


def sweep(at: dt.datetime | None = None) -> dict[str, int]:
    """Every open, unacknowledged concern: the first alert if it was never sent (the worker was down), and the next
    step if it is due. Run every minute; safe to run any number of times, from any number of workers."""
    at = at or now()
    done = {"alerted": 0, "escalated": 0}
    open_ids = Concern.objects.filter(closed_at__isnull=True, acknowledged_at__isnull=True)
    for concern_id in open_ids.filter(alerted_at__isnull=True).order_by("pk").values_list("pk", flat=True):
        if send_first_alert(concern_id, at):
            done["alerted"] += 1
    due = open_ids.filter(alerted_at__isnull=False, next_step_at__lte=at).order_by("pk").values_list("pk", flat=True)
    for concern_id in due:
        if escalate(concern_id, at):
            done["escalated"] += 1
    return done


def _schedule_next(concern_id: int, step: int, at: dt.datetime) -> None:
    due = _next_step_at(step, at)
    if due is None:
        return
    delay = max(0.0, (due - now()).total_seconds())
    transaction.on_commit(lambda: escalate_concern.schedule(args=(concern_id,), delay=delay))


@db_task(retries=3, retry_delay=10)
def escalate_concern(concern_id: int) -> int:
    """The eta task of a concern's next step (nothing happens if it was acknowledged, closed or is not due).

    It lives here rather than in tasks.py because the steps schedule it, and tasks.py imports this module.
    """
    return escalate(concern_id)


# --- the channels ----------------------------------------------------------------------------------------------


def deliver(*, concern_id: int, user_ids: list[int], step: int, at: dt.datetime) -> int:
    """Alert these coordinators on every channel they can be reached on; one ALERTED line per channel and person.

    Called inside the step's transaction: the in-app notification is written with it; the live banner, push,
    email and SMS leave once it commits."""
    if not user_ids:
        return 0
    link = concern_path(concern_id)
    people = list(User.objects.filter(pk__in=user_ids, is_active=True).values_list("pk", "email"))
    ids = [pk for pk, _email in people]

    def line_of(channel: str, user_id: int, note: str = "") -> None:
        ConcernEvent.objects.create(
            concern_id=concern_id,
            kind=EventKind.ALERTED,
            at=at,
            channel=channel,
            recipient_id=user_id,
            step=step,
            note=note,
        )

    for user_id in ids:
        notify(user_id=user_id, kind=Kind.CONCERN_RAISED, link=link)
        line_of("app", user_id)
    events = live.alert_events(ids, concern_id)
    transaction.on_commit(lambda: live.send(events))

    if push_enabled():
        with_devices = set(PushSubscription.objects.filter(user_id__in=ids).values_list("user_id", flat=True))
        for user_id in sorted(with_devices):
            line_of("push", user_id)
        if with_devices:
            pushed = sorted(with_devices)
            transaction.on_commit(
                lambda: push_to_users(
                    pushed, title=PUSH_TITLE, body=PUSH_BODY, url=link, tag=f"concern-{concern_id}", urgency="high"
                )
            )

    context = {"service_name": current_settings().name, "link": f"{settings.SITE_URL}{link}"}
    for user_id, email in people:
        if not email:
            continue
        message = EmailMultiAlternatives(
            subject=EMAIL_SUBJECT,
            body=render_to_string("safety/email/alert.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email],
        )
        message.attach_alternative(render_to_string("safety/email/alert.html", context), "text/html")
        queue_email(message)
        line_of("email", user_id)

    if line.is_on():
        for user_id in ids:
            if own_number(user_id):
                _queue_sms(concern_id, user_id, step)
    return len(ids)


def sms_body(concern_id: int) -> str:
    name = current_settings().name
    return f"{name}: a safety concern needs a coordinator now. Open it: {settings.SITE_URL}{concern_path(concern_id)}"


def _queue_sms(concern_id: int, user_id: int, step: int) -> None:
    transaction.on_commit(lambda: send_sms_alert(concern_id, user_id, step))


@db_task()
def send_sms_alert(concern_id: int, user_id: int, step: int) -> bool:
    """One SMS alert from the task queue: a slow provider holds up no other channel or person."""
    return send_sms(concern_id, user_id, step)


def send_sms(concern_id: int, user_id: int, step: int) -> bool:
    """Text the coordinator's own number (from the task queue); the timeline says whether it was sent."""
    provider, settings_ = line.current(), line.line_settings()
    number = own_number(user_id)
    concern = Concern.objects.filter(pk=concern_id).first()
    if provider is None or settings_ is None or not number or concern is None:
        return False
    note = ""
    try:
        provider.send_sms(to=number, from_=settings_.number, body=sms_body(concern_id))
    except ProviderError as exc:
        log.warning("safety: an SMS alert for concern %s was not sent (%s)", concern_id, exc)
        note = "Not sent: the SMS provider refused it or could not be reached."
    ConcernEvent.objects.create(
        concern=concern, kind=EventKind.ALERTED, channel="sms", recipient_id=user_id, step=step, note=note
    )
    return not note


def alerted_ids(concern_id: int) -> list[int]:
    """Everyone alerted about the concern so far (whose live banners go when it is handled)."""
    return sorted(
        set(
            ConcernEvent.objects.filter(concern_id=concern_id, kind=EventKind.ALERTED)
            .exclude(recipient_id=None)
            .values_list("recipient_id", flat=True)
        )
    )


def withdraw_banners(concern_id: int) -> None:
    """Remove the concern's live banner from every alerted coordinator's open pages, once the caller commits."""
    events = live.handled_events(alerted_ids(concern_id), concern_id)
    transaction.on_commit(lambda: live.send(events))
