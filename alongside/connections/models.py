"""Ongoing one-to-one peer support: requests, suggestions, offers, connections, blocks and feedback.

The life of a request: a member asks (``SupportRequest``, OPEN); the engine suggests
supporters (``Suggestion`` rows keep what the member was shown); the member picks one and
an ``Offer`` goes to that supporter (OFFERED). Accepted, it becomes a ``Connection``
(MATCHED); declined or lapsed, the next suggestion is offered, or the request waits for
the coordinators (WAITLIST). Connections end with an optional reason only coordinators
see, a ``Block`` when someone never wants to be matched with the other again, and an
anonymous ``Feedback`` row that nothing ties to a person.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from alongside.accounts.models import former_member
from alongside.lib.fields import EncryptedTextField
from alongside.lib.time import now

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from alongside.accounts.models import User

NOTE_MAX_LENGTH = 1000
"""Characters a member may write to the supporter who accepts (checked in the form and the service)."""
REASON_MAX_LENGTH = 1000
OFFER_HOURS = 48
"""An offer not answered within this many hours lapses and the next suggestion is offered."""


class PeerKind(models.TextChoices):
    SIMILAR = "similar", "Someone at a similar career stage"
    SENIOR = "senior", "Someone more senior"
    ANY = "any", "No preference"


class SameSpecialty(models.TextChoices):
    PREFER = "prefer", "I'd prefer someone from my specialty"
    ANY = "any", "No preference"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Choosing a peer"
    OFFERED = "offered", "Waiting for the peer to reply"
    WAITLIST = "waitlist", "With the coordinators"
    MATCHED = "matched", "Matched"
    WITHDRAWN = "withdrawn", "Withdrawn"


LIVE_REQUEST_STATUSES = (RequestStatus.OPEN, RequestStatus.OFFERED, RequestStatus.WAITLIST)


class WaitlistReason(models.TextChoices):
    MEMBER_ASKED = "member_asked", "The member asked the coordinators to choose"
    NO_SUGGESTIONS = "no_suggestions", "No supporter who fits is free"
    SUGGESTIONS_USED = "suggestions_used", "Every suggestion declined or lapsed"


class SupportRequest(models.Model):
    """A member's request for an ongoing peer. Preferences are kept as given, in the member's time zone."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="support_requests",
        help_text="Empty once the member deleted their account (their connection's request is kept for the peer).",
    )
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    topics = models.ManyToManyField("directory.Topic", blank=True, related_name="+")
    peer_kind = models.CharField(max_length=10, choices=PeerKind.choices, default=PeerKind.ANY)
    same_specialty = models.CharField(max_length=10, choices=SameSpecialty.choices, default=SameSpecialty.ANY)
    gender_wanted = models.CharField(max_length=40, blank=True, help_text="Empty when the member has no wish.")
    languages = models.ManyToManyField("directory.Language", blank=True, related_name="+")
    formats = models.JSONField(default=list, blank=True, help_text="Acceptable formats: supporters.Format values.")
    availability = models.JSONField(
        default=list, blank=True, help_text="Weekly windows in the member's time zone: [{day, start, end}]."
    )
    time_zone = models.CharField(max_length=64, default="Australia/Melbourne")
    excluded_workplaces = models.ManyToManyField("directory.Workplace", blank=True, related_name="+")
    allow_own_workplace = models.BooleanField(default=False)
    note = EncryptedTextField(blank=True, help_text="Shown only to the supporter who accepts.")
    follows = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The earlier request, when the member asked for a different peer.",
    )
    waitlist_reason = models.CharField(max_length=20, choices=WaitlistReason.choices, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    matched_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it was matched or withdrawn.")
    created_at = models.DateTimeField(default=now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=["open", "offered", "waitlist"]),
                name="support_request_one_live_per_member",
            ),
            models.CheckConstraint(
                condition=~Q(status="waitlist") | Q(waitlisted_at__isnull=False),
                name="support_request_waitlist_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["open", "offered", "waitlist"]) | Q(member__isnull=False),
                name="support_request_live_has_member",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"support request {self.pk}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_REQUEST_STATUSES

    @property
    def member_pk(self) -> int:
        """The member's user id. A live request always has its member; a kept one may have lost it."""
        if self.member_id is None:
            raise ValueError("the member deleted their account")
        return self.member_id

    def waited(self, at: dt.datetime | None = None) -> dt.timedelta:
        return (at or now()) - self.created_at


class Suggestion(models.Model):
    """A supporter the engine proposed for a request, as the member saw it (or the coordinator previewed it)."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="suggestions")
    supporter = models.ForeignKey("supporters.SupporterProfile", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(help_text="1 is the best; continues across 'show me more'.")
    page = models.PositiveSmallIntegerField(default=1, help_text="Which set of three it was shown in.")
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    overlap = models.JSONField(default=list, help_text="Shared free UTC hour-of-week slots.")
    shown_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["request", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["request", "supporter"], name="suggestion_once_per_request"),
            models.UniqueConstraint(fields=["request", "rank"], name="suggestion_rank_unique"),
        ]

    def __str__(self) -> str:
        return f"suggestion {self.rank} for request {self.request_id}"


class OfferStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a reply"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    LAPSED = "lapsed", "Lapsed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class OfferSource(models.TextChoices):
    MEMBER = "member", "Chosen by the member"
    AUTOMATIC = "automatic", "Next suggestion, offered automatically"
    BATCH = "batch", "Coordinators' batch match"
    COORDINATOR = "coordinator", "Matched by hand by a coordinator"


class Offer(models.Model):
    """A suggestion sent to a supporter, who accepts or declines without giving a reason."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="offers")
    supporter = models.ForeignKey("supporters.SupporterProfile", on_delete=models.CASCADE, related_name="offers")
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.PENDING)
    source = models.CharField(max_length=12, choices=OfferSource.choices, default=OfferSource.MEMBER)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The coordinator who matched by hand or applied a batch.",
    )
    coordinator_reason = EncryptedTextField(blank=True, help_text="Why a coordinator matched by hand.")
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField(db_index=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "supporter"], name="offer_once_per_supporter"),
            models.UniqueConstraint(
                fields=["request"], condition=Q(status="pending"), name="offer_one_pending_per_request"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(responded_at__isnull=False), name="offer_answered_has_time"
            ),
        ]
        indexes = [models.Index(fields=["supporter", "status"]), models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"offer {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.expires_at is None:
            self.expires_at = self.created_at + dt.timedelta(hours=OFFER_HOURS)
        super().save(*args, **kwargs)


REVIEW_OVERDUE_DAYS = 14
"""Days after a review point fell due (both sides were told) that it is overdue if not both have answered: shown to
both sides and the coordinators, told once, and no new session can be proposed until it is answered."""


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class EndedBy(models.TextChoices):
    MEMBER = "member", "The member"
    SUPPORTER = "supporter", "The supporter"
    COORDINATOR = "coordinator", "A coordinator"


class EndKind(models.TextChoices):
    CLOSED = "closed", "Closed"
    CHANGE = "change", "Member asked for a change"
    BLOCKED = "blocked", "Blocked"
    REVIEW = "review", "Closed at a review point"
    REFERRED = "referred", "Referred on"
    ACCOUNT_DELETED = "deleted", "Account deleted"


class Connection(models.Model):
    """An ongoing one-to-one connection between a member and a supporter."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="connections",
        help_text="Empty once the member deleted their account: the supporter keeps the closed connection.",
    )
    supporter = models.ForeignKey("supporters.SupporterProfile", on_delete=models.CASCADE, related_name="connections")
    request = models.OneToOneField(SupportRequest, on_delete=models.CASCADE, related_name="connection")
    offer = models.OneToOneField(Offer, null=True, blank=True, on_delete=models.SET_NULL, related_name="connection")
    status = models.CharField(max_length=10, choices=ConnectionStatus.choices, default=ConnectionStatus.ACTIVE)
    started_at = models.DateTimeField(default=now)
    sessions_held = models.PositiveIntegerField(default=0, help_text="Sessions that took place (kept by sessions).")
    review_due_at = models.DateTimeField(help_text="The next review point by time.")
    review_due_sessions = models.PositiveIntegerField(help_text="The next review point by sessions held.")
    reviews_held = models.PositiveSmallIntegerField(default=0)
    review_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When both sides were told the current review point is due."
    )
    review_overdue_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When both sides were told the current review point is overdue."
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=12, choices=EndedBy.choices, blank=True)
    end_kind = models.CharField(max_length=10, choices=EndKind.choices, blank=True)
    end_reason = EncryptedTextField(blank=True, help_text="Optional; visible only to coordinators.")
    feedback_pending = models.BooleanField(
        default=False,
        help_text="The member may still answer the anonymous questions. Cleared on answer or skip alike.",
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "supporter"], condition=Q(status="active"), name="connection_one_active_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(status="active", ended_at__isnull=True) | Q(status="closed", ended_at__isnull=False),
                name="connection_closed_has_end",
            ),
            models.CheckConstraint(
                condition=Q(status="closed") | Q(member__isnull=False), name="connection_active_has_member"
            ),
        ]
        indexes = [models.Index(fields=["supporter", "status"]), models.Index(fields=["member", "status"])]

    def __str__(self) -> str:
        return f"connection {self.pk}"

    def parties(self) -> tuple[int | None, int]:
        """The user ids of its two people: (the member's, the supporter's). The member's is None once they deleted
        their account."""
        return self.member_id, self.supporter.user_id

    def has_party(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.parties()

    def open_to(self, user: User | AnonymousUser) -> bool:
        """One of its two people, whose side is still theirs: a supporter whose supporter role was removed has lost
        theirs (the connection, its sessions, its thread and its calls), as they lose their offers. Someone who is
        both the member and the supporter keeps the member's side."""
        if not self.has_party(user.pk):
            return False
        return user.pk == self.member_id or bool(getattr(user, "is_supporter", False))

    @property
    def member_pk(self) -> int:
        """The member's user id. An active connection always has its member (a database rule)."""
        if self.member_id is None:
            raise ValueError("the member deleted their account")
        return self.member_id

    def peer_id_of(self, user_id: int) -> int:
        """The user id of the other person, for telling them something; ``user_id`` must be one of its two people,
        and the other must still have an account (always so while the connection is active)."""
        member_id, supporter_user_id = self.parties()
        if user_id == member_id:
            return supporter_user_id
        if user_id == supporter_user_id:
            if member_id is None:
                raise ValueError("the member deleted their account")
            return member_id
        raise ValueError("not a party to this connection")

    def peer_of(self, user: User) -> User:
        """The other person of the connection, as ``user`` sees it; ``user`` must be one of its two people."""
        if self.member_id is None:
            return former_member()
        if self.peer_id_of(user.pk) == self.member_id:
            return self.member or former_member()
        return self.supporter.user

    @property
    def is_active(self) -> bool:
        return self.status == ConnectionStatus.ACTIVE

    def review_is_due(self, at: dt.datetime | None = None) -> bool:
        return self.is_active and (
            (at or now()) >= self.review_due_at or self.sessions_held >= self.review_due_sessions
        )

    @property
    def review_overdue_from(self) -> dt.datetime | None:
        """When the current review point becomes overdue: ``REVIEW_OVERDUE_DAYS`` after both sides were told it was
        due (the moment it fell due, to the hour), unless both have answered by then. None: no review point due."""
        if not self.is_active or self.review_notified_at is None:
            return None
        return self.review_notified_at + dt.timedelta(days=REVIEW_OVERDUE_DAYS)

    def review_is_overdue(self, at: dt.datetime | None = None) -> bool:
        """Due, told, and still not answered by both sides ``REVIEW_OVERDUE_DAYS`` later (both continuing moves the
        review point on and clears ``review_notified_at``; either closing ends the connection)."""
        since = self.review_overdue_from
        return since is not None and (at or now()) >= since and self.review_is_due(at)


class Side(models.TextChoices):
    MEMBER = "member", "Member"
    SUPPORTER = "supporter", "Supporter"


class ReviewChoice(models.TextChoices):
    CONTINUE = "continue", "Continue"
    CLOSE = "close", "Close"
    REFER = "refer", "Refer on to another service"


class ReviewAnswer(models.Model):
    """One side's answer at a review point."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="review_answers")
    review_number = models.PositiveSmallIntegerField(help_text="1 for the first review point, and so on.")
    role = models.CharField(max_length=10, choices=Side.choices)
    choice = models.CharField(max_length=10, choices=ReviewChoice.choices)
    answered_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["connection", "review_number", "role"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "review_number", "role"], name="review_answer_once"),
        ]

    def __str__(self) -> str:
        return f"review {self.review_number} ({self.role}) of connection {self.connection_id}"


class Block(models.Model):
    """One person never wants to be matched with another. Matching honours it in both directions."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(Connection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once_per_pair"),
            models.CheckConstraint(condition=~Q(blocker=models.F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"block {self.pk}"


def _first_of_month() -> dt.date:
    return now().date().replace(day=1)


class Feedback(models.Model):
    """Three anonymous answers after a connection closes.

    Deliberately holds nothing that leads back to a person or a connection: no foreign
    key, no timestamp finer than the month, and a random primary key so that row order
    can't be matched against the order connections closed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    month = models.DateField(default=_first_of_month, help_text="The first day of the month it was given.")
    felt_heard = models.PositiveSmallIntegerField()
    felt_respected = models.PositiveSmallIntegerField()
    would_recommend = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["month"]
        constraints = [
            models.CheckConstraint(condition=Q(felt_heard__gte=1, felt_heard__lte=5), name="feedback_heard_1_5"),
            models.CheckConstraint(
                condition=Q(felt_respected__gte=1, felt_respected__lte=5), name="feedback_respected_1_5"
            ),
            models.CheckConstraint(
                condition=Q(would_recommend__gte=1, would_recommend__lte=5), name="feedback_recommend_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"feedback for {self.month:%B %Y}"
