"""Writes for talk now: asking, offering, accepting, cancelling, ending, and the timers.

Every change of a request's state is a conditional UPDATE whose row count says whether this call made it: the first
accept wins and every later one is told "someone else has it"; each timer step happens once whoever runs it (the
eta task, the periodic task, both after a worker restart). Offers of one request are made under a lock on its row,
so two sweeps never offer it to the same supporter twice. Live events and pushes go after the commit.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from huey.contrib.djhuey import db_task

from alongside.accounts.models import User
from alongside.accounts.selectors import region_of
from alongside.audit.services import record
from alongside.conversations.models import Thread, ThreadKind
from alongside.conversations.services import close_thread, create_thread
from alongside.directory.models import Topic
from alongside.lib.sockets import COORDINATORS_GROUP, tell_console, tell_thread_closed
from alongside.lib.time import now
from alongside.notifications.models import Kind
from alongside.notifications.push import push_to_users
from alongside.notifications.services import notify, queue_email
from alongside.roster.models import ContactFormat, ContactRecord, Role
from alongside.roster.selectors import available_ids
from alongside.roster.services import end_contact, open_contact
from alongside.service.selectors import current_settings, snapshot
from alongside.talknow import live
from alongside.talknow.models import OPEN_STATES, Medium, Outcome, State, TalkNowOffer, TalkNowRequest

LAPSE_AFTER = dt.timedelta(minutes=60)
"""A request nobody has taken lapses this long after it was made (never before the coordinators were alerted and
had one more wait): the member has been told all along, and offered a call-back and the crisis lines."""
PUSH_TITLE = "Talk now"
PUSH_BODY = "Someone would like to talk now"


class Accepted(enum.StrEnum):
    WON = "won"
    TAKEN = "taken"
    """Someone else accepted first."""
    GONE = "gone"
    """The member cancelled, or it lapsed, or this offer was withdrawn."""
    BUSY = "busy"
    """The supporter is in another contact already."""


def step_wait() -> dt.timedelta:
    """The coordinators' time for each step (service settings, default 3 minutes)."""
    return dt.timedelta(minutes=current_settings().talk_now_wait_minutes)


# --- asking ------------------------------------------------------------------------------------------------------


@transaction.atomic
def ask(*, member: User, medium: str, topics: Iterable[Topic] = (), at: dt.datetime | None = None) -> TalkNowRequest:
    """The member presses Talk now: the request is offered at once to every available on-shift primary supporter
    (none free: to the backups straight away). Raises ``ValidationError`` outside opening hours, for a second open
    request, or an unknown medium."""
    at = at or now()
    snap = snapshot()
    if not snap.settings.offers_talk_now:
        raise ValidationError("The service does not offer Talk now.")
    if not snap.is_open_at(at):
        raise ValidationError("The service is closed just now, so nobody is on shift to talk.")
    if medium not in Medium.values:
        raise ValidationError({"medium": "Choose chat or voice."})
    if TalkNowRequest.objects.filter(member=member, state__in=OPEN_STATES).exists():
        raise ValidationError("You already have a talk-now request open.")
    wait = step_wait()
    try:
        with transaction.atomic():
            made = TalkNowRequest.objects.create(member=member, medium=medium, created_at=at, next_step_at=at + wait)
    except IntegrityError:  # a second press at the same instant: the constraint allows one open request
        raise ValidationError("You already have a talk-now request open.") from None
    made.topics.set(list(topics))
    record("talknow.request.made", actor=member, target=made, details={"medium": medium})
    offered = _offer(made, roles=(Role.PRIMARY,), at=at)
    if not offered:
        # Nobody on a primary place is free: waiting a whole step for nobody helps no one.
        TalkNowRequest.objects.filter(pk=made.pk).update(backups_offered_at=at)
        made.backups_offered_at = at
        _offer(made, roles=(Role.BACKUP,), at=at)
    _schedule_step(made.pk, at + wait)
    tell_console("talknow")
    return made


def _offer(req: TalkNowRequest, *, roles: Sequence[str], at: dt.datetime) -> list[int]:
    """Offer ``req`` to every available supporter in these roles not offered it yet. Returns who was offered.

    Call inside a transaction holding ``req``'s row (or having just made it); the live banners and the pushes go
    after the commit.
    """
    already = set(TalkNowOffer.objects.filter(request=req).values_list("supporter_id", flat=True))
    if req.member_id is not None:  # always so while it waits (a database rule)
        already.add(req.member_id)
    made: list[TalkNowOffer] = []
    for role in roles:
        for supporter_id in available_ids(at, role=role):
            if supporter_id not in already:
                already.add(supporter_id)
                made.append(TalkNowOffer(request=req, supporter_id=supporter_id, role=role, offered_at=at))
    if not made:
        return []
    TalkNowOffer.objects.bulk_create(made)
    if any(offer.pk is None for offer in made):  # a backend that does not return keys from a bulk insert
        made = list(TalkNowOffer.objects.filter(request=req, supporter_id__in=[o.supporter_id for o in made]))
    events = live.offer_events([(offer.supporter_id, offer.pk, req.pk) for offer in made])
    ids = [offer.supporter_id for offer in made]
    request_id = req.pk

    def announce() -> None:
        live.send(events)
        push_to_users(ids, title=PUSH_TITLE, body=PUSH_BODY, url=reverse("talknow:offers"), tag=f"talknow-{request_id}")

    transaction.on_commit(announce)
    return ids


def _schedule_step(request_id: int, due: dt.datetime) -> None:
    delay = max(0.0, (due - now()).total_seconds())
    transaction.on_commit(lambda: step.schedule(args=(request_id,), delay=delay))


def _withdraw_open_offers(req: TalkNowRequest, *, outcome: str, at: dt.datetime) -> list[int]:
    open_offers = TalkNowOffer.objects.filter(request=req, outcome=Outcome.OPEN)
    ids = list(open_offers.values_list("supporter_id", flat=True))
    open_offers.update(outcome=outcome, withdrawn_at=at)
    return ids


CONSOLE_EVENT = (COORDINATORS_GROUP, {"type": "console.changed", "what": "talknow"})
"""The coordinators' dashboards re-read the talk-now figures, in the same hop as the request's own events."""


def _tell(req_id: int, withdrawn_from: Sequence[int] = ()) -> None:
    """After the commit: the request's pages re-read it; supporters whose offer went lose the banner."""
    events = [live.status_event(req_id), *live.withdrawn_events(list(withdrawn_from), req_id), CONSOLE_EVENT]
    transaction.on_commit(lambda: live.send(events))


# --- accepting ---------------------------------------------------------------------------------------------------


def accept(*, offer: TalkNowOffer, supporter: User, at: dt.datetime | None = None) -> Accepted:
    """The supporter accepts: the first accept wins; everyone else's offer goes. Never raises for a lost race."""
    try:
        return _accept(offer=offer, supporter=supporter, at=at or now())
    except _Lost as lost:
        return lost.why


class _Lost(Exception):
    def __init__(self, why: Accepted) -> None:
        super().__init__(str(why))
        self.why = why


@transaction.atomic
def _accept(*, offer: TalkNowOffer, supporter: User, at: dt.datetime) -> Accepted:
    # The row lock makes a second accepter wait here until the first has committed, and then see it connected.
    req = TalkNowRequest.objects.select_for_update().get(pk=offer.request_id)
    if req.state != State.WAITING:
        return Accepted.TAKEN if req.state in (State.CONNECTED, State.ENDED) else Accepted.GONE
    mine = TalkNowOffer.objects.filter(pk=offer.pk, supporter=supporter, outcome=Outcome.OPEN).first()
    if mine is None:
        return Accepted.GONE
    if TalkNowRequest.objects.filter(supporter=supporter, state=State.CONNECTED).exists():
        return Accepted.BUSY
    contact_format = ContactFormat.TALKNOW_VOICE if req.medium == Medium.VOICE else ContactFormat.TALKNOW_CHAT
    contact = open_contact(supporter_id=supporter.pk, format=contact_format, region=region_of(req.member_id))
    assert req.member_id is not None  # a waiting request has its member (a database rule)
    thread = create_thread(kind=ThreadKind.TALKNOW, user_ids=[req.member_id, supporter.pk])
    # The state check again, as a conditional update: the guard that holds even where the lock is not taken.
    won = TalkNowRequest.objects.filter(pk=req.pk, state=State.WAITING).update(
        state=State.CONNECTED, supporter=supporter, connected_at=at, thread=thread, contact=contact, next_step_at=None
    )
    if not won:
        raise _Lost(Accepted.TAKEN)  # rolls back the contact and the thread
    TalkNowOffer.objects.filter(pk=mine.pk).update(outcome=Outcome.ACCEPTED, withdrawn_at=at)
    others = _withdraw_open_offers(req, outcome=Outcome.TAKEN, at=at)
    # The supporter is busy now: their offers of other waiting requests go (the sweep offers them again when free).
    elsewhere = TalkNowOffer.objects.filter(supporter=supporter, outcome=Outcome.OPEN).exclude(request=req)
    elsewhere_requests = list(elsewhere.values_list("request_id", flat=True))
    elsewhere.delete()
    supporter_id = supporter.pk
    if elsewhere_requests:
        transaction.on_commit(
            lambda: live.send([e for r in elsewhere_requests for e in live.withdrawn_events([supporter_id], r)])
        )
    record(
        "talknow.request.accepted",
        actor=supporter,
        target=req,
        details={"waited_s": int((at - req.created_at).total_seconds())},
    )
    _tell(req.pk, others)
    return Accepted.WON


# --- the member cancels; either side ends ------------------------------------------------------------------------


@transaction.atomic
def cancel(*, req: TalkNowRequest, member: User, at: dt.datetime | None = None) -> bool:
    """The member cancels a waiting request (idempotent): True when this call cancelled it."""
    at = at or now()
    done = TalkNowRequest.objects.filter(pk=req.pk, member=member, state=State.WAITING).update(
        state=State.CANCELLED, cancelled_at=at, next_step_at=None
    )
    if not done:
        return False
    withdrawn = _withdraw_open_offers(req, outcome=Outcome.WITHDRAWN, at=at)
    record("talknow.request.cancelled", actor=member, target=req)
    _tell(req.pk, withdrawn)
    return True


@transaction.atomic
def end(*, req: TalkNowRequest, user: User, at: dt.datetime | None = None) -> bool:
    """Either side ends the conversation (idempotent): the thread closes, the supporter's contact ends (they are
    free again, and asked for the contact record). True when this call ended it."""
    at = at or now()
    if user.pk not in (req.member_id, req.supporter_id):
        raise ValidationError("Only the two people of this conversation can end it.")
    done = TalkNowRequest.objects.filter(pk=req.pk, state=State.CONNECTED).update(state=State.ENDED, ended_at=at)
    if not done:
        return False
    if req.thread is not None:
        close_thread(thread=req.thread)
        thread_id = req.thread.pk
        transaction.on_commit(lambda: tell_thread_closed(thread_id))
    if req.contact_id is not None:
        end_contact(record_id=req.contact_id)
    record(
        "talknow.request.ended",
        actor=user,
        target=req,
        details={"by": "member" if user.pk == req.member_id else "supporter"},
    )
    _tell(req.pk)
    return True


def referral_sent(thread: Thread, sender: User) -> None:
    """A referral card was sent in a talk-now conversation: its contact record says a referral was given (the
    supporter can still correct it when they file the record). Called inside the sending transaction."""
    ContactRecord.objects.filter(talknow_request__thread_id=thread.pk, supporter_id=sender.pk).update(
        referral_given=True
    )


# --- the timers --------------------------------------------------------------------------------------------------


def advance(*, request_id: int, at: dt.datetime | None = None) -> str:
    """Take a waiting request's next timer step if it is due: '' when nothing was due (or someone else took it),
    else the step taken: 'backups', 'coordinators' or 'lapsed'. Safe to call any number of times, from anywhere."""
    at = at or now()
    with transaction.atomic():
        req = TalkNowRequest.objects.select_for_update().filter(pk=request_id, state=State.WAITING).first()
        if req is None or req.next_step_at is None or req.next_step_at > at:
            return ""
        due = TalkNowRequest.objects.filter(pk=request_id, state=State.WAITING, next_step_at__lte=at)
        wait = step_wait()
        if req.backups_offered_at is None:
            if not due.filter(backups_offered_at__isnull=True).update(backups_offered_at=at, next_step_at=at + wait):
                return ""
            req.backups_offered_at = at
            _offer(req, roles=(Role.PRIMARY, Role.BACKUP), at=at)
            record("talknow.request.backups_offered", target=req)
            _schedule_step(req.pk, at + wait)
            _tell(req.pk)
            return "backups"
        if req.coordinators_alerted_at is None:
            lapse_at = max(req.created_at + LAPSE_AFTER, at + wait)
            if not due.filter(coordinators_alerted_at__isnull=True).update(
                coordinators_alerted_at=at, next_step_at=lapse_at
            ):
                return ""
            _alert_coordinators(req)
            record("talknow.request.coordinators_alerted", target=req)
            _schedule_step(req.pk, lapse_at)
            _tell(req.pk)
            return "coordinators"
        if not due.filter(coordinators_alerted_at__isnull=False).update(
            state=State.LAPSED, lapsed_at=at, next_step_at=None
        ):
            return ""
        withdrawn = _withdraw_open_offers(req, outcome=Outcome.WITHDRAWN, at=at)
        record("talknow.request.lapsed", target=req)
        _tell(req.pk, withdrawn)
        return "lapsed"


def offer_to_newly_available(*, request_id: int, at: dt.datetime | None = None) -> list[int]:
    """Offers follow who can take the request now. Supporters who came on shift or became free while it waits are
    offered it too (backups as well once the backups have been asked); those whose shift ended, who switched to busy
    or who took another contact lose their offer (and are offered it again if they are free while it still waits)."""
    at = at or now()
    with transaction.atomic():
        req = TalkNowRequest.objects.select_for_update().filter(pk=request_id, state=State.WAITING).first()
        if req is None:
            return []
        gone = TalkNowOffer.objects.filter(request=req, outcome=Outcome.OPEN).exclude(
            supporter_id__in=available_ids(at, role=None)
        )
        gone_ids = list(gone.values_list("supporter_id", flat=True))
        if gone_ids:
            gone.delete()
            events = live.withdrawn_events(gone_ids, req.pk)
            transaction.on_commit(lambda: live.send(events))
        roles = (Role.PRIMARY,) if req.backups_offered_at is None else (Role.PRIMARY, Role.BACKUP)
        return _offer(req, roles=roles, at=at)


@db_task(retries=3, retry_delay=10)
def step(request_id: int) -> str:
    """The eta task of a request's next timer step (nothing happens if it was taken, cancelled, or is not due).

    It lives here rather than in tasks.py because the steps schedule it, and tasks.py imports this module.
    """
    return advance(request_id=request_id)


def enforce_timers(at: dt.datetime | None = None) -> dict[str, int]:
    """Every waiting request: offer it to whoever has become free, and take any timer step that is due.

    Run every minute by the periodic task; the eta task of each step makes it happen on time in between.
    """
    at = at or now()
    done = {"offered": 0, "backups": 0, "coordinators": 0, "lapsed": 0}
    waiting = list(TalkNowRequest.objects.filter(state=State.WAITING).order_by("pk").values_list("pk", flat=True))
    for request_id in waiting:
        step_taken = advance(request_id=request_id, at=at)
        if step_taken:
            done[step_taken] += 1
        done["offered"] += len(offer_to_newly_available(request_id=request_id, at=at))
    return done


def _alert_coordinators(req: TalkNowRequest) -> None:
    """In-app, email and push, to every active coordinator: only that a request is waiting, and where to look."""
    link = reverse("console:talknow")
    coordinators = list(User.objects.filter(is_coordinator=True, is_active=True).values_list("pk", "email"))
    for user_id, _email in coordinators:
        notify(user_id=user_id, kind=Kind.TALKNOW_WAITING, link=link)
    context = {"service_name": current_settings().name, "link": f"{settings.SITE_URL}{link}"}
    for _user_id, email in coordinators:
        message = EmailMultiAlternatives(
            subject="A talk-now request is waiting",
            body=render_to_string("talknow/email/waiting.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email],
        )
        message.attach_alternative(render_to_string("talknow/email/waiting.html", context), "text/html")
        queue_email(message)
    ids = [user_id for user_id, _email in coordinators]
    request_id = req.pk
    transaction.on_commit(
        lambda: push_to_users(
            ids, title=PUSH_TITLE, body="A talk-now request is waiting", url=link, tag=f"talknow-waiting-{request_id}"
        )
    )
