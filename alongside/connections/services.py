"""Writes for ongoing connections: requests, suggestions, offers, the connection itself, reviews, blocks, feedback.

Every function is keyword-only, atomic, raises ``ValidationError`` for anything a person
can fix, and leaves an audit event with a dotted action name and no free text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Max, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from alongside.accounts.models import User
from alongside.audit.services import record
from alongside.connections import glue
from alongside.connections.models import (
    LIVE_REQUEST_STATUSES,
    NOTE_MAX_LENGTH,
    OFFER_HOURS,
    REASON_MAX_LENGTH,
    REVIEW_OVERDUE_DAYS,
    Block,
    Connection,
    ConnectionStatus,
    EndedBy,
    EndKind,
    Feedback,
    Offer,
    OfferSource,
    OfferStatus,
    PeerKind,
    RequestStatus,
    ReviewAnswer,
    ReviewChoice,
    SameSpecialty,
    Side,
    Suggestion,
    SupportRequest,
    WaitlistReason,
)
from alongside.directory.models import Language, Topic, Workplace
from alongside.lib.time import now
from alongside.matching import engine, weekly
from alongside.notifications.models import Kind
from alongside.notifications.services import notify, queue_email
from alongside.service.selectors import current_settings
from alongside.supporters.models import Format, SupporterProfile

SUGGESTIONS_PER_PAGE = 3
CHANGE_REASON = "Member asked for a change."


# --- requests -----------------------------------------------------------------------


@transaction.atomic
def create_request(
    *,
    member: User,
    topics: Iterable[Topic],
    languages: Iterable[Language],
    formats: Iterable[str],
    availability: list[weekly.Window],
    peer_kind: str = PeerKind.ANY,
    same_specialty: str = SameSpecialty.ANY,
    gender_wanted: str = "",
    excluded_workplaces: Iterable[Workplace] = (),
    allow_own_workplace: bool = False,
    note: str = "",
    follows: SupportRequest | None = None,
    request: HttpRequest | None = None,
) -> SupportRequest:
    """A member asks for an ongoing peer; the first suggestions are made at once.

    When no supporter who fits has room, the request goes straight to the coordinators.
    """
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Keep the note to {NOTE_MAX_LENGTH} characters or fewer."})
    chosen_formats = sorted(set(formats))
    if not chosen_formats or any(f not in Format.values for f in chosen_formats):
        raise ValidationError({"formats": "Choose at least one way to meet."})
    chosen_languages = list(languages)
    if not chosen_languages:
        raise ValidationError({"languages": "Choose at least one language."})
    if peer_kind not in PeerKind.values:
        raise ValidationError({"peer_kind": "Choose a kind of peer from the list."})
    if same_specialty not in SameSpecialty.values:
        raise ValidationError({"same_specialty": "Choose an option from the list."})
    locked_member = User.objects.select_for_update().get(pk=member.pk)
    if SupportRequest.objects.filter(member=locked_member, status__in=_live()).exists():
        raise ValidationError("You already have a request for a peer open. You can follow it from your home page.")
    profile = getattr(member, "profile", None)
    support_request = SupportRequest.objects.create(
        member=locked_member,
        peer_kind=peer_kind,
        same_specialty=same_specialty,
        gender_wanted=" ".join(gender_wanted.split()),
        formats=chosen_formats,
        availability=[w.to_json() for w in weekly.merge_windows(availability)],
        time_zone=profile.time_zone if profile is not None else settings.TIME_ZONE,
        allow_own_workplace=allow_own_workplace,
        note=note,
        follows=follows,
    )
    support_request.topics.set(topics)
    support_request.languages.set(chosen_languages)
    support_request.excluded_workplaces.set(excluded_workplaces)
    record("connections.request.created", actor=member, subject=member, target=support_request, request=request)
    if not suggest(support_request=support_request):
        _to_waitlist(support_request, WaitlistReason.NO_SUGGESTIONS)
    return support_request


def _live() -> list[str]:
    return [RequestStatus.OPEN, RequestStatus.OFFERED, RequestStatus.WAITLIST]


def _rank(support_request: SupportRequest, *, exclude: Iterable[int], limit: int) -> list[engine.Suggestion]:
    at = now()
    return engine.rank(
        glue.to_engine_request(support_request, at=at),
        glue.engine_supporters(at=at),
        glue.current_weights(),
        limit=limit,
        exclude=exclude,
        topic_phrases=glue.topic_phrases(),
    )


@transaction.atomic
def suggest(*, support_request: SupportRequest) -> list[Suggestion]:
    """The next three suggestions, excluding everyone already shown or offered. Stored for the coordinators."""
    shown = set(Suggestion.objects.filter(request=support_request).values_list("supporter_id", flat=True))
    ranked = _rank(support_request, exclude=shown | glue.already_offered(support_request), limit=SUGGESTIONS_PER_PAGE)
    return _store(support_request, ranked)


def _store(support_request: SupportRequest, ranked: list[engine.Suggestion]) -> list[Suggestion]:
    if not ranked:
        return []
    last = Suggestion.objects.filter(request=support_request).aggregate(rank=Max("rank"), page=Max("page"))
    rank, page = (last["rank"] or 0), (last["page"] or 0) + 1
    rows = []
    for i, s in enumerate(ranked, start=1):
        rows.append(
            Suggestion.objects.create(
                request=support_request,
                supporter_id=s.supporter_id,
                rank=rank + i,
                page=page,
                score=s.score,
                reasons=list(s.reasons),
                overlap=list(s.overlap),
            )
        )
    record(
        "connections.suggestions.shown",
        subject=support_request.member,
        target=support_request,
        details={"count": len(rows), "page": page},
    )
    return rows


@transaction.atomic
def show_more(*, support_request: SupportRequest, actor: User, request: HttpRequest | None = None) -> list[Suggestion]:
    locked = _lock_request(support_request, actor)
    if locked.status != RequestStatus.OPEN:
        raise ValidationError("This request is no longer choosing a peer.")
    return suggest(support_request=locked)


def _lock_request(support_request: SupportRequest, member: User) -> SupportRequest:
    locked = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
    if locked.member_id != member.pk:
        raise ValidationError("This is not your request.")
    return locked


def _to_waitlist(support_request: SupportRequest, reason: str) -> None:
    at = now()
    support_request.status = RequestStatus.WAITLIST
    support_request.waitlist_reason = reason
    support_request.waitlisted_at = at
    support_request.save(update_fields=["status", "waitlist_reason", "waitlisted_at", "updated_at"])
    record(
        "connections.request.waitlisted",
        subject=support_request.member,
        target=support_request,
        details={"reason": reason},
    )
    notify(user_id=support_request.member_pk, kind=Kind.REQUEST_WAITLISTED, link=_request_link(support_request))


@transaction.atomic
def ask_coordinators(*, support_request: SupportRequest, actor: User, request: HttpRequest | None = None) -> None:
    """The member would rather the coordinators chose: the request joins the waitlist."""
    locked = _lock_request(support_request, actor)
    if locked.status != RequestStatus.OPEN:
        raise ValidationError("This request is no longer choosing a peer.")
    _to_waitlist(locked, WaitlistReason.MEMBER_ASKED)
    support_request.refresh_from_db()


@transaction.atomic
def withdraw_request(*, support_request: SupportRequest, actor: User, request: HttpRequest | None = None) -> None:
    """The member no longer wants a peer. A pending offer is withdrawn and its supporter told."""
    locked = _lock_request(support_request, actor)
    if not locked.is_live:
        raise ValidationError("This request is already closed.")
    at = now()
    for offer in Offer.objects.select_for_update().filter(request=locked, status=OfferStatus.PENDING):
        offer.status, offer.responded_at = OfferStatus.WITHDRAWN, at
        offer.save(update_fields=["status", "responded_at"])
        notify(user_id=offer.supporter.user_id, kind=Kind.OFFER_WITHDRAWN, link="/supporter/offers/")
    locked.status, locked.closed_at = RequestStatus.WITHDRAWN, at
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    record("connections.request.withdrawn", actor=actor, subject=actor, target=locked, request=request)
    support_request.refresh_from_db()


def _request_link(support_request: SupportRequest) -> str:
    return f"/support/ongoing/{support_request.pk}/"


# --- offers -------------------------------------------------------------------------


@transaction.atomic
def pick(
    *, support_request: SupportRequest, suggestion: Suggestion, actor: User, request: HttpRequest | None = None
) -> Offer:
    """The member chooses one of their suggestions; an offer goes to that supporter."""
    locked = _lock_request(support_request, actor)
    if locked.status != RequestStatus.OPEN:
        raise ValidationError("This request is no longer choosing a peer.")
    if suggestion.request_id != locked.pk:
        raise ValidationError("Choose one of the peers suggested for this request.")
    offer = _send_offer(locked, suggestion.supporter_id, source=OfferSource.MEMBER)
    if offer is None:
        raise ValidationError(
            "That peer can't take on someone new just now. Please choose another suggestion, or ask for more."
        )
    record("connections.offer.sent", actor=actor, subject=actor, target=offer, request=request)
    support_request.refresh_from_db()
    return offer


def _send_offer(
    support_request: SupportRequest,
    supporter_id: int,
    *,
    source: str,
    made_by: User | None = None,
    coordinator_reason: str = "",
) -> Offer | None:
    """Offer the request to one supporter if the pair is still feasible (checked under the supporter's lock)."""
    profile = SupporterProfile.objects.select_for_update().filter(pk=supporter_id).first()
    if profile is None or Offer.objects.filter(request=support_request, supporter_id=supporter_id).exists():
        return None
    at = now()
    fresh = glue.to_engine_supporter(profile, at=at)
    if fresh is None or not engine.is_feasible(glue.to_engine_request(support_request, at=at), fresh):
        return None
    offer = Offer.objects.create(
        request=support_request,
        supporter=profile,
        source=source,
        made_by=made_by,
        coordinator_reason=coordinator_reason,
        created_at=at,
    )
    support_request.status = RequestStatus.OFFERED
    support_request.save(update_fields=["status", "updated_at"])
    notify(user_id=profile.user_id, kind=Kind.OFFER_NEW, link="/supporter/offers/")
    queue_email(offer_email(profile.user))
    return offer


@transaction.atomic
def offer_from_coordinator(
    *,
    support_request: SupportRequest,
    supporter: SupporterProfile,
    actor: User,
    source: str = OfferSource.COORDINATOR,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Offer:
    """A coordinator sends a waiting request to a supporter: by hand (with a reason) or from a batch match.

    The same hard constraints and capacity checks apply as when a member picks, under the
    same lock on the supporter's row, so two coordinators applying batches at once can't
    overfill anyone.
    """
    if not actor.is_coordinator:
        raise ValidationError("Only coordinators can match by hand.")
    if source not in (OfferSource.COORDINATOR, OfferSource.BATCH):
        raise ValidationError("A coordinator's offer comes from a batch or is made by hand.")
    reason = reason.strip()
    if source == OfferSource.COORDINATOR and not reason:
        raise ValidationError({"reason": "Give a reason for matching by hand."})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason to {REASON_MAX_LENGTH} characters or fewer."})
    locked = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
    if locked.status not in (RequestStatus.OPEN, RequestStatus.WAITLIST):
        raise ValidationError("This request is not waiting for a peer.")
    offer = _send_offer(locked, supporter.pk, source=source, made_by=actor, coordinator_reason=reason)
    if offer is None:
        raise ValidationError(
            "That supporter can't take this request: a hard constraint or their capacity rules it out."
        )
    record(
        "connections.offer.sent",
        actor=actor,
        subject=locked.member,
        target=offer,
        request=request,
        details={"source": source},
    )
    notify(user_id=locked.member_pk, kind=Kind.OFFER_FROM_COORDINATORS, link=_request_link(locked))
    support_request.refresh_from_db()
    return offer


def offer_email(user: User) -> EmailMultiAlternatives:
    """'There is an offer for you': no names, no topics, no note. The detail is behind sign-in."""
    context = {
        "service_name": current_settings().name,
        "link": f"{settings.SITE_URL}/supporter/offers/",
        "hours": OFFER_HOURS,
    }
    message = EmailMultiAlternatives(
        subject=f"A new offer is waiting in {context['service_name']}",
        body=render_to_string("connections/email/offer.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(render_to_string("connections/email/offer.html", context), "text/html")
    return message


def offer_next(*, support_request: SupportRequest) -> Offer | None:
    """Offer the request to the best supporter not yet asked; with nobody left, hand it to the coordinators."""
    exclude = glue.already_offered(support_request)
    for candidate in _rank(support_request, exclude=exclude, limit=SUGGESTIONS_PER_PAGE):
        offer = _send_offer(support_request, candidate.supporter_id, source=OfferSource.AUTOMATIC)
        if offer is None:
            continue
        if not Suggestion.objects.filter(request=support_request, supporter_id=candidate.supporter_id).exists():
            _store(support_request, [candidate])
        record("connections.offer.sent", subject=support_request.member, target=offer, details={"automatic": True})
        notify(user_id=support_request.member_pk, kind=Kind.OFFER_NEXT, link=_request_link(support_request))
        return offer
    _to_waitlist(support_request, WaitlistReason.SUGGESTIONS_USED)
    return None


def _lock_offer_for(offer: Offer, actor: User) -> Offer:
    locked = Offer.objects.select_for_update(of=("self",)).select_related("supporter").get(pk=offer.pk)
    if locked.supporter.user_id != actor.pk:
        raise ValidationError("This offer is not yours.")
    return locked


@transaction.atomic
def accept_offer(*, offer: Offer, actor: User, request: HttpRequest | None = None) -> Connection:
    """The supporter accepts: an active connection begins, if they still have room.

    The supporter's profile row is locked first, so two acceptances racing for their last
    free place are taken one after the other and the second is refused.
    """
    profile = SupporterProfile.objects.select_for_update().get(pk=offer.supporter_id)
    locked = _lock_offer_for(offer, actor)
    at = now()
    if locked.status != OfferStatus.PENDING:
        raise ValidationError("This offer is no longer open.")
    if locked.expires_at <= at:
        raise ValidationError("This offer has lapsed.")
    active = Connection.objects.filter(supporter=profile, status=ConnectionStatus.ACTIVE).count()
    if active >= profile.capacity:
        raise ValidationError(
            "You are already supporting as many colleagues as your capacity allows. "
            "Raise your capacity on your supporter profile, or decline this offer."
        )
    support_request = SupportRequest.objects.select_for_update().get(pk=locked.request_id)
    locked.status, locked.responded_at = OfferStatus.ACCEPTED, at
    locked.save(update_fields=["status", "responded_at"])
    support_request.status, support_request.matched_at, support_request.closed_at = RequestStatus.MATCHED, at, at
    support_request.save(update_fields=["status", "matched_at", "closed_at", "updated_at"])
    connection = Connection.objects.create(
        member_id=support_request.member_id,
        supporter=profile,
        request=support_request,
        offer=locked,
        started_at=at,
        review_due_at=at + dt.timedelta(days=settings.ALONGSIDE_REVIEW_AFTER_DAYS),
        review_due_sessions=settings.ALONGSIDE_REVIEW_AFTER_SESSIONS,
    )
    profile.last_active_at = at
    profile.save(update_fields=["last_active_at"])
    record("connections.offer.accepted", actor=actor, subject=support_request.member, target=locked, request=request)
    record("connections.connection.started", actor=actor, subject=support_request.member, target=connection)
    link = f"/connections/{connection.pk}/"
    notify(user_id=support_request.member_pk, kind=Kind.CONNECTION_STARTED, link=link)
    notify(user_id=actor.pk, kind=Kind.CONNECTION_STARTED, link=link)
    offer.refresh_from_db()
    return connection


@transaction.atomic
def decline_offer(*, offer: Offer, actor: User, request: HttpRequest | None = None) -> None:
    """The supporter declines, with no reason asked; the next suggestion is offered."""
    profile = SupporterProfile.objects.select_for_update().get(pk=offer.supporter_id)
    locked = _lock_offer_for(offer, actor)
    if locked.status != OfferStatus.PENDING:
        raise ValidationError("This offer is no longer open.")
    at = now()
    locked.status, locked.responded_at = OfferStatus.DECLINED, at
    locked.save(update_fields=["status", "responded_at"])
    profile.last_active_at = at
    profile.save(update_fields=["last_active_at"])
    record("connections.offer.declined", actor=actor, target=locked, request=request)
    support_request = SupportRequest.objects.select_for_update().get(pk=locked.request_id)
    if support_request.status == RequestStatus.OFFERED:
        offer_next(support_request=support_request)
    offer.refresh_from_db()


def lapse_due_offers(*, at: dt.datetime | None = None) -> int:
    """Lapse every pending offer past its time and move each request on. Safe to run twice at once.

    Each offer is claimed with a conditional UPDATE; only the worker whose update changed
    the row goes on to offer the next suggestion.
    """
    at = at or now()
    lapsed = 0
    due = list(
        Offer.objects.filter(status=OfferStatus.PENDING, expires_at__lte=at)
        .order_by("expires_at")
        .values_list("pk", flat=True)
    )
    for pk in due:
        with transaction.atomic():
            claimed = Offer.objects.filter(pk=pk, status=OfferStatus.PENDING, expires_at__lte=at).update(
                status=OfferStatus.LAPSED, responded_at=at
            )
            if not claimed:
                continue  # answered in the meantime, or another worker won
            lapsed += 1
            offer = Offer.objects.select_related("supporter").get(pk=pk)
            record("connections.offer.lapsed", target=offer)
            notify(user_id=offer.supporter.user_id, kind=Kind.OFFER_WITHDRAWN, link="/supporter/offers/")
            support_request = SupportRequest.objects.select_for_update().get(pk=offer.request_id)
            if support_request.status == RequestStatus.OFFERED:
                offer_next(support_request=support_request)
    return lapsed


# --- the connection -----------------------------------------------------------------


def side_of(connection: Connection, user: User) -> str:
    member_id, supporter_user_id = connection.parties()
    if user.pk == member_id:
        return Side.MEMBER
    if user.pk == supporter_user_id:
        return Side.SUPPORTER
    raise ValidationError("You are not part of this connection.")


def _end(
    connection: Connection,
    *,
    actor: User,
    kind: str,
    reason: str,
    request: HttpRequest | None,
) -> Connection:
    reason = reason.strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason to {REASON_MAX_LENGTH} characters or fewer."})
    locked = Connection.objects.select_for_update().select_related("supporter").get(pk=connection.pk)
    side = side_of(locked, actor)
    if not locked.is_active:
        raise ValidationError("This connection has already closed.")
    locked.status = ConnectionStatus.CLOSED
    locked.ended_at = now()
    locked.ended_by = EndedBy.MEMBER if side == Side.MEMBER else EndedBy.SUPPORTER
    locked.end_kind = kind
    locked.end_reason = reason
    locked.feedback_pending = True
    locked.save()
    record(
        "connections.connection.closed",
        actor=actor,
        subject=locked.member,
        target=locked,
        request=request,
        details={"kind": kind, "by": locked.ended_by, "with_reason": bool(reason)},
    )
    notify(user_id=locked.peer_id_of(actor.pk), kind=Kind.CONNECTION_CLOSED, link=f"/connections/{locked.pk}/")
    connection.refresh_from_db()
    return locked


@transaction.atomic
def close_connection(
    *, connection: Connection, actor: User, reason: str = "", request: HttpRequest | None = None
) -> Connection:
    """Either side closes, at any time, with an optional reason only coordinators see."""
    return _end(connection, actor=actor, kind=EndKind.CLOSED, reason=reason, request=request)


@transaction.atomic
def close_for_deleted_account(*, user: User, request: HttpRequest | None = None) -> list[int]:
    """Close every active connection of someone deleting their account, on either side. The other person is told
    only that the connection has closed (the notice every close sends), never why. No feedback is asked of the
    person leaving. Their live support request, if any, is withdrawn. Returns the connections' ids."""
    closed = []
    for connection in Connection.objects.select_related("supporter").filter(
        Q(member=user) | Q(supporter__user=user), status=ConnectionStatus.ACTIVE
    ):
        _end(connection, actor=user, kind=EndKind.ACCOUNT_DELETED, reason="", request=request)
        Connection.objects.filter(pk=connection.pk).update(feedback_pending=False)
        closed.append(connection.pk)
    live = SupportRequest.objects.filter(member=user, status__in=LIVE_REQUEST_STATUSES).first()
    if live is not None:
        withdraw_request(support_request=live, actor=user, request=request)
    return closed


@transaction.atomic
def ask_for_change(*, connection: Connection, actor: User, request: HttpRequest | None = None) -> SupportRequest:
    """The member asks for a different peer, with no reason asked: this connection closes, matching starts again.

    The new request keeps the member's preferences and note; this supporter is never suggested again.
    """
    if connection.member_id != actor.pk:
        raise ValidationError("Only the member can ask for a different peer.")
    closed = _end(connection, actor=actor, kind=EndKind.CHANGE, reason=CHANGE_REASON, request=request)
    old = closed.request
    return create_request(
        member=actor,
        topics=old.topics.all(),
        languages=old.languages.all(),
        formats=old.formats,
        availability=weekly.parse_windows(old.availability),
        peer_kind=old.peer_kind,
        same_specialty=old.same_specialty,
        gender_wanted=old.gender_wanted,
        excluded_workplaces=old.excluded_workplaces.all(),
        allow_own_workplace=old.allow_own_workplace,
        note=old.note,
        follows=old,
        request=request,
    )


@transaction.atomic
def block(*, connection: Connection, actor: User, reason: str = "", request: HttpRequest | None = None) -> Block:
    """End the connection and never match this pair again, in either direction."""
    locked = Connection.objects.select_related("supporter").get(pk=connection.pk)
    side_of(locked, actor)  # refuses anyone but its two people
    if locked.member_id is None:
        raise ValidationError("This member has deleted their account; there is nobody left to block.")
    other_id = locked.peer_id_of(actor.pk)
    if locked.is_active:
        _end(locked, actor=actor, kind=EndKind.BLOCKED, reason=reason, request=request)
    made, _ = Block.objects.get_or_create(blocker=actor, blocked_id=other_id, defaults={"connection": locked})
    record("connections.block.created", actor=actor, target=made, request=request)
    connection.refresh_from_db()
    return made


@transaction.atomic
def answer_review(
    *, connection: Connection, actor: User, choice: str, request: HttpRequest | None = None
) -> Connection:
    """One side answers a due review point: continue, close, or refer on.

    Close or refer ends the connection at once (whoever says so). When both say continue,
    the next review point is set a full period and a full number of sessions ahead.
    """
    if choice not in ReviewChoice.values:
        raise ValidationError({"choice": "Choose continue, close or refer on."})
    locked = Connection.objects.select_for_update().select_related("supporter").get(pk=connection.pk)
    side = side_of(locked, actor)
    if not locked.review_is_due():
        raise ValidationError("There is no review point due for this connection.")
    number = locked.reviews_held + 1
    if ReviewAnswer.objects.filter(connection=locked, review_number=number, role=side).exists():
        raise ValidationError("You have already answered this review point.")
    ReviewAnswer.objects.create(connection=locked, review_number=number, role=side, choice=choice)
    record("connections.review.answered", actor=actor, target=locked, request=request, details={"choice": choice})
    if choice in (ReviewChoice.CLOSE, ReviewChoice.REFER):
        kind = EndKind.REVIEW if choice == ReviewChoice.CLOSE else EndKind.REFERRED
        return _end(locked, actor=actor, kind=kind, reason="", request=request)
    answers = set(ReviewAnswer.objects.filter(connection=locked, review_number=number).values_list("role", "choice"))
    if answers == {(Side.MEMBER, ReviewChoice.CONTINUE), (Side.SUPPORTER, ReviewChoice.CONTINUE)}:
        at = now()
        locked.reviews_held = number
        locked.review_due_at = at + dt.timedelta(days=settings.ALONGSIDE_REVIEW_AFTER_DAYS)
        locked.review_due_sessions = locked.sessions_held + settings.ALONGSIDE_REVIEW_AFTER_SESSIONS
        locked.review_notified_at = None
        locked.review_overdue_notified_at = None
        locked.save(
            update_fields=[
                "reviews_held",
                "review_due_at",
                "review_due_sessions",
                "review_notified_at",
                "review_overdue_notified_at",
            ]
        )
        record("connections.review.continued", target=locked, details={"review": number})
    connection.refresh_from_db()
    return locked


def announce_due_reviews(*, at: dt.datetime | None = None) -> int:
    """Tell both sides of each connection whose review point has come. Each point is announced once."""
    at = at or now()
    due = Connection.objects.filter(status=ConnectionStatus.ACTIVE, review_notified_at__isnull=True).filter(
        Q(review_due_at__lte=at) | Q(sessions_held__gte=F("review_due_sessions"))
    )
    announced = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            if not Connection.objects.filter(pk=pk, review_notified_at__isnull=True).update(review_notified_at=at):
                continue
            connection = Connection.objects.select_related("supporter").get(pk=pk)
            link = f"/connections/{pk}/review/"
            notify(user_id=connection.member_pk, kind=Kind.REVIEW_DUE, link=link)
            notify(user_id=connection.supporter.user_id, kind=Kind.REVIEW_DUE, link=link)
            announced += 1
    return announced


def announce_overdue_reviews(*, at: dt.datetime | None = None) -> int:
    """Tell both sides, once, of each review point still unanswered ``REVIEW_OVERDUE_DAYS`` after it fell due."""
    at = at or now()
    overdue = Connection.objects.filter(
        status=ConnectionStatus.ACTIVE,
        review_notified_at__lte=at - dt.timedelta(days=REVIEW_OVERDUE_DAYS),
        review_overdue_notified_at__isnull=True,
    )
    announced = 0
    for pk in list(overdue.values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = Connection.objects.filter(
                pk=pk, status=ConnectionStatus.ACTIVE, review_notified_at__isnull=False, review_overdue_notified_at=None
            ).update(review_overdue_notified_at=at)
            if not claimed:
                continue
            connection = Connection.objects.select_related("supporter").get(pk=pk)
            link = reverse("connections:connection_review", kwargs={"pk": pk})
            notify(user_id=connection.member_pk, kind=Kind.REVIEW_OVERDUE, link=link)
            notify(user_id=connection.supporter.user_id, kind=Kind.REVIEW_OVERDUE, link=link)
            record("connections.review.overdue", target=connection, details={"review": connection.reviews_held + 1})
            announced += 1
    return announced


@transaction.atomic
def record_session_held(*, connection: Connection) -> Connection:
    """Count a session that took place (for the sessions feature): it moves the review point closer."""
    Connection.objects.filter(pk=connection.pk).update(sessions_held=F("sessions_held") + 1)
    connection.refresh_from_db()
    return connection


# --- anonymous feedback -------------------------------------------------------------


@transaction.atomic
def give_feedback(
    *,
    connection: Connection,
    actor: User,
    felt_heard: int | None,
    felt_respected: int | None,
    would_recommend: int | None,
    skip: bool = False,
) -> Feedback | None:
    """Store the member's three answers with nothing that leads back to them.

    The connection only forgets that it may still ask (the same whether answered or
    skipped), and no audit event is written: its actor and time would tie the answers to
    the member.
    """
    if connection.member_id != actor.pk:
        raise ValidationError("Only the member gives feedback on a connection.")
    if not skip and not all(isinstance(a, int) and 1 <= a <= 5 for a in (felt_heard, felt_respected, would_recommend)):
        raise ValidationError("Answer each question from 1 to 5, or skip them all.")
    claimed = Connection.objects.filter(
        pk=connection.pk, member=actor, status=ConnectionStatus.CLOSED, feedback_pending=True
    ).update(feedback_pending=False)
    if not claimed:
        raise ValidationError("There is no feedback to give for this connection.")
    connection.feedback_pending = False
    if skip or felt_heard is None or felt_respected is None or would_recommend is None:
        return None
    return Feedback.objects.create(
        felt_heard=felt_heard, felt_respected=felt_respected, would_recommend=would_recommend
    )
