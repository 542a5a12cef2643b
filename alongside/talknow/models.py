"""Talk now in the app: a member asks to talk now, every available on-shift supporter is offered it at once, and
the first to accept gets it.

A ``TalkNowRequest`` waits until someone accepts (connected), the member cancels, or it lapses. While it waits,
``next_step_at`` is the deadline of its next timer step: nobody accepted in time, so the backups are offered it
(``backups_offered_at``); still nobody, so the coordinators are alerted (``coordinators_alerted_at``) and the
member is told; finally it lapses. A periodic task and an eta task both advance it, each step claimed with a
conditional update, so every step happens exactly once whoever runs it and whenever.

A ``TalkNowOffer`` is one supporter's offer of one request: open until it is accepted, taken by someone else, or
withdrawn (the member cancelled, the request lapsed).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from alongside.lib.time import now
from alongside.roster.models import Role


class Medium(models.TextChoices):
    CHAT = "chat", "Chat"
    VOICE = "voice", "Voice, in the browser"


class State(models.TextChoices):
    WAITING = "waiting", "Waiting for a supporter"
    CONNECTED = "connected", "Connected"
    ENDED = "ended", "Ended"
    CANCELLED = "cancelled", "Cancelled"
    LAPSED = "lapsed", "Lapsed"


OPEN_STATES = (State.WAITING, State.CONNECTED)
"""A member has at most one request in these states."""


class TalkNowRequest(models.Model):
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="talknow_requests",
        help_text="Empty once the member deleted their account: the supporter keeps the ended conversation.",
    )
    medium = models.CharField(max_length=10, choices=Medium.choices, default=Medium.CHAT)
    topics = models.ManyToManyField("directory.Topic", blank=True, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.WAITING)
    created_at = models.DateTimeField(default=now)
    next_step_at = models.DateTimeField(
        null=True, blank=True, help_text="While waiting: when the next timer step is due."
    )
    backups_offered_at = models.DateTimeField(null=True, blank=True)
    coordinators_alerted_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    lapsed_at = models.DateTimeField(null=True, blank=True)
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="talknow_taken"
    )
    thread = models.OneToOneField(
        "conversations.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="talknow_request"
    )
    contact = models.OneToOneField(
        "roster.ContactRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="talknow_request"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(state__in=["waiting", "connected"]), name="talknow_one_open_per_member"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["waiting", "connected"]) | Q(member__isnull=False),
                name="talknow_open_has_member",
            ),
            models.CheckConstraint(
                condition=~Q(state="connected") | Q(supporter__isnull=False, connected_at__isnull=False),
                name="talknow_connected_has_supporter",
            ),
        ]
        indexes = [models.Index(fields=["state", "next_step_at"])]

    def __str__(self) -> str:
        return f"talk-now request {self.pk}"

    @property
    def is_waiting(self) -> bool:
        return self.state == State.WAITING

    @property
    def stage(self) -> str:
        """Where a waiting request stands: 'primary', 'backups' or 'coordinators'."""
        if self.coordinators_alerted_at is not None:
            return "coordinators"
        if self.backups_offered_at is not None:
            return "backups"
        return "primary"


class Outcome(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    TAKEN = "taken", "Taken by someone else"
    WITHDRAWN = "withdrawn", "Withdrawn"


class TalkNowOffer(models.Model):
    request = models.ForeignKey(TalkNowRequest, on_delete=models.CASCADE, related_name="offers")
    supporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="talknow_offers")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.PRIMARY)
    offered_at = models.DateTimeField(default=now)
    withdrawn_at = models.DateTimeField(null=True, blank=True, help_text="When it stopped being open, however.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)

    class Meta:
        ordering = ["-offered_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["request", "supporter"], name="talknow_offer_once")]
        indexes = [models.Index(fields=["supporter", "outcome"])]

    def __str__(self) -> str:
        return f"talk-now offer {self.pk}"
