"""The phone line's records: people's own numbers, call-backs, and phone calls. Numbers are encrypted at rest.

A ``PhoneCall`` records one call by the provider's call id: which way it went, how far it got, which supporter took
it, its outcome and duration. It never holds the caller's number. A ``Callback`` holds the caller's number only
until the call-back is done, cancelled or lapses; then the number is deleted.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from alongside.lib.fields import EncryptedTextField
from alongside.lib.time import now


class OwnNumber(models.Model):
    """A person's own phone number (E.164), kept encrypted: a supporter's mobile, which the phone line rings, or a
    member's number for phone sessions. Shown to its owner only; to coordinators only as "set" or "not set"."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="own_number")
    number = EncryptedTextField()
    updated_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"own number of {self.user_id}"


class CallbackStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for a supporter"
    TAKEN = "taken", "A supporter will call"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"
    LAPSED = "lapsed", "Lapsed"


OPEN_CALLBACK = (CallbackStatus.WAITING, CallbackStatus.TAKEN)


class CallbackOutcome(models.TextChoices):
    REACHED = "reached", "We talked"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    NOT_NOW = "not_now", "They could not talk then"
    NOT_RECORDED = "not_recorded", "Not recorded"


class CallbackSource(models.TextChoices):
    WEB = "web", "The call-back form"
    PHONE = "phone", "The phone line's keypad"


class Callback(models.Model):
    """A request to be called back in a window. ``token_hash`` finds it from the caller's private link (the token
    itself is shown once and never stored)."""

    token_hash = models.CharField(max_length=64, unique=True)
    name = EncryptedTextField(help_text="A first name or pseudonym.")
    phone = EncryptedTextField(blank=True, help_text="E.164; emptied when the call-back ends.")
    window_starts_at = models.DateTimeField()
    window_ends_at = models.DateTimeField()
    topics = models.ManyToManyField("directory.Topic", blank=True, related_name="+")
    source = models.CharField(max_length=10, choices=CallbackSource.choices, default=CallbackSource.WEB)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=CallbackStatus.choices, default=CallbackStatus.WAITING)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=CallbackOutcome.choices, blank=True)
    contact = models.ForeignKey(
        "roster.ContactRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["window_starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_ends_at__gt=models.F("window_starts_at")), name="callback_window"
            ),
            models.CheckConstraint(
                condition=~Q(status="taken") | Q(taken_by__isnull=False, taken_at__isnull=False),
                name="callback_taken_has_supporter",
            ),
            # An ended call-back keeps no number.
            models.CheckConstraint(
                condition=Q(status__in=["waiting", "taken"]) | Q(phone="", ended_at__isnull=False),
                name="callback_ended_has_no_number",
            ),
        ]
        indexes = [models.Index(fields=["status", "window_ends_at"])]

    def __str__(self) -> str:
        return f"call-back {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CALLBACK

    def in_window(self, at: dt.datetime) -> bool:
        return self.window_starts_at <= at < self.window_ends_at


class CallKind(models.TextChoices):
    INBOUND = "inbound", "A call to the service's number"
    CALLBACK = "callback", "A call-back"
    SESSION = "session", "A session by phone"


class CallState(models.TextChoices):
    RINGING = "ringing", "Ringing"
    CONNECTED = "connected", "Connected"
    ENDED = "ended", "Ended"


class CallOutcome(models.TextChoices):
    TALKED = "talked", "A supporter talked with the caller"
    AFTER_HOURS = "after_hours", "After hours: crisis lines given"
    NO_SUPPORTER = "no_supporter", "No supporter answered"
    CALLBACK_LEFT = "callback_left", "No supporter answered; a call-back was left"
    CALLER_LEFT = "caller_left", "The caller hung up before a supporter answered"
    NOT_ANSWERED = "not_answered", "Not answered"
    FAILED = "failed", "Could not be placed"
    LOST = "lost", "Its end was never reported"


class PhoneCall(models.Model):
    """One call through the service's number. Never the caller's number, never what was said.

    ``waves`` lists the supporter ids rung in each wave of an inbound call (at most ten a wave), so a webhook that
    Twilio retries answers the same way.
    """

    call_sid = models.CharField(max_length=64, unique=True, null=True, blank=True)
    kind = models.CharField(max_length=10, choices=CallKind.choices)
    state = models.CharField(max_length=10, choices=CallState.choices, default=CallState.RINGING)
    outcome = models.CharField(max_length=20, choices=CallOutcome.choices, blank=True)
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Inbound: who answered. Outbound: who placed the call.",
    )
    callback = models.ForeignKey(Callback, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    session = models.ForeignKey("meetings.Session", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    left_callback = models.OneToOneField(
        Callback, null=True, blank=True, on_delete=models.SET_NULL, related_name="left_by_call"
    )
    contact = models.ForeignKey(
        "roster.ContactRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waves = models.JSONField(default=list, blank=True)
    provider_status = models.CharField(max_length=20, blank=True)
    dial_status = models.CharField(max_length=20, blank=True, help_text="How the last dial ended.")
    started_at = models.DateTimeField(default=now)
    connected_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="ended", ended_at__isnull=False) | (~Q(state="ended") & Q(ended_at__isnull=True)),
                name="phonecall_ended_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state="connected") | Q(supporter__isnull=False, connected_at__isnull=False),
                name="phonecall_connected_has_supporter",
            ),
        ]
        indexes = [models.Index(fields=["state", "started_at"]), models.Index(fields=["kind", "started_at"])]

    def __str__(self) -> str:
        return f"phone call {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state != CallState.ENDED
